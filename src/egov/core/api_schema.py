"""The OpenAPI document says what the API answers, errors included (issue 12 §6).

drf-spectacular documents what each action declares; this schema class adds what every endpoint
shares, once, as components: the error responses the stack itself gives (``Error``, built by
``egov.core.api_base.exception_handler``), each where it can happen, and blank values of text
fields that carry a format or a choice. An action that declares a status itself keeps its own.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

from egov.core.api_base import ErrorSerializer

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Status, component name, description. Each is a component under components/responses.
ERRORS = {
    "400": ("BadRequest", "The request is not valid: `fields` names each field and its errors."),
    "401": ("Unauthorized", "The credentials (the bearer token) are missing, expired or invalid."),
    "403": ("Forbidden", "The credentials do not hold the scope this action needs."),
    "404": (
        "NotFound",
        "No such object, or not one the caller may see; for a list, no such page.",
    ),
    "409": ("Conflict", "The object's state does not allow this action now."),
    "413": ("PayloadTooLarge", "The request body is larger than the API accepts."),
    "415": ("UnsupportedMediaType", "The body's Content-Type is not one this action takes."),
    "429": ("TooManyRequests", "Too many requests: wait the seconds Retry-After says."),
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            responses = operation.setdefault("responses", {})
            for status in self._error_statuses(operation):
                if status not in responses:
                    responses[status] = self._error_response(status)
        return operation

    def _error_statuses(self, operation) -> list[str]:
        view, method = self.view, self.method
        parameters = operation.get("parameters", [])
        statuses = ["429"]  # every endpoint is rate limited (per address, per client)
        # An unsafe action's service may refuse with a validation error even without a body.
        if method in UNSAFE or any(p["in"] != "path" for p in parameters):
            statuses.append("400")
        if operation.get("requestBody"):
            statuses += ["413", "415"]
        authenticators = view.get_authenticators()
        if authenticators:
            statuses.append("401")  # a bad token is refused even where none is needed
        csrf = method in UNSAFE and any(
            isinstance(a, SessionAuthentication) for a in authenticators
        )
        if csrf or self._needs_permission():
            statuses.append("403")
        paginated = any(p["name"] == "page" and p["in"] == "query" for p in parameters)
        if paginated or any(p["in"] == "path" for p in parameters):
            statuses.append("404")
        if method in UNSAFE and getattr(view, "state_conflicts", False):
            statuses.append("409")
        return sorted(statuses)

    def _needs_permission(self) -> bool:
        view = self.view
        if hasattr(view, "required_scopes"):
            # accounts.scopes' rule (core sits below accounts): None is public, absent is closed.
            return view.required_scopes.get(getattr(view, "action", None), "missing") is not None
        return not all(isinstance(p, AllowAny) for p in view.get_permissions())

    def _error_response(self, status: str) -> dict:
        name, description = ERRORS[status]
        error = self.resolve_serializer(ErrorSerializer, "response")
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.RESPONSE,
            object=name,
            schema={
                "description": description,
                "content": {"application/json": {"schema": error.ref}},
            },
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if _may_be_blank(field):
            return _admit_blank(schema)
        return schema


def _may_be_blank(field) -> bool:
    """A text field whose answer may be "": it allows blank, or it shows a model field that
    does (DRF drops ``allow_blank`` from read-only fields)."""
    if not isinstance(field, serializers.CharField | serializers.ChoiceField):
        return False
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source_attrs:
        return False
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:  # a method or property (get_status_display): not a field
        return False
    return len(field.source_attrs) == 1 and getattr(model_field, "blank", False)


def _admit_blank(schema: dict) -> dict:
    if "enum" in schema and "" not in schema["enum"]:
        # drf-spectacular's enum hook then splits "" off as its BlankEnum.
        return {**schema, "enum": [*schema["enum"], ""]}
    if schema.get("format") in {"email", "uri"}:
        formatted = {"type": "string", "format": schema["format"]}
        rest = {k: v for k, v in schema.items() if k not in {"type", "format"}}
        return {"oneOf": [formatted, {"type": "string", "maxLength": 0}], **rest}
    return schema
