"""What every API endpoint shares: error shape, pagination."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from egov.core.inputs import BadText, TooLarge


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ErrorSerializer(serializers.Serializer):
    """The body of every error the API answers."""

    code = serializers.CharField(help_text="For machines: invalid, not_found, throttled, ...")
    message = serializers.CharField(help_text="For people, in the language of Accept-Language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The errors of each field (dotted paths into the body); may be empty.",
    )


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(_flatten(item) for item in detail.values())
    return str(detail)


def exception_handler(exc, context):
    """Every error is ``{"code", "message", "fields"}``; the message follows Accept-Language."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, RequestDataTooBig):  # Django's cap, met before the parser's own
        exc = TooLarge()
    elif isinstance(exc, BadText):  # form data parsed by Django, not by the API's parsers
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # The services' refusals say why ("only the dossier's applicant may rate it"): keep
        # their (translated) reason; a bare PermissionDenied gets DRF's generic sentence.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        for name, errors in detail.items():
            fields[name] = [_flatten(e) for e in (errors if isinstance(errors, list) else [errors])]
        message = _("The request is not valid.")
        if list(fields) == ["non_field_errors"]:
            message = " ".join(fields.pop("non_field_errors"))
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
        message = _flatten(exc.detail) if hasattr(exc, "detail") else str(exc)
        # An error about several items (a batch) names each one, as validation errors do.
        fields = {
            name: list(errors) for name, errors in (getattr(exc, "fields", None) or {}).items()
        }
    return Response(
        {"code": code, "message": message, "fields": fields},
        status=response.status_code,
        headers={k: v for k, v in response.items() if k in {"Retry-After", "WWW-Authenticate"}},
    )
