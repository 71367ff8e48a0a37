"""The applicant's form of a procedure, rendered from its JSON Schema as an accessible HTML form
and validated on the server.

The schema and its field types belong to the catalogue (``egov.catalog.forms``: ``x-egov-type``
text, number, date, personal_id, phone, email, address, choice, file, group). Here:

- every property becomes a ``Field`` (label from ``title``, hint from ``description``), groups and
  addresses become fieldsets with a legend;
- an address has a province picker, a commune picker and the street; without JavaScript the
  commune list follows the chosen province when the citizen presses "Show communes" (the form is
  sent back unvalidated, with the communes of that province);
- the POSTed strings are read back into the JSON the schema describes (numbers as numbers, empty
  fields left out), and ``egov.catalog.forms.validate`` says what is wrong, field by field;
- a file is not stored yet (submission comes with the one-stop shop): a chosen file stands for
  its reference ``upload:<sha-256 of its content>``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from egov.catalog import forms as catalog_forms
from egov.core import numbers
from egov.core.models import Organisation
from egov.core.models.organisations import Level

REFRESH = "_show_communes"


@dataclass
class Field:
    path: str  # dotted: "applicant.residence.province"
    label: str
    kind: str  # the x-egov-type; "organisation" for the province/commune pickers
    required: bool = False
    hint: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: object = None
    errors: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    children: list[Field] = field(default_factory=list)
    level: str = ""  # organisation pickers: "province" or "commune"
    readonly: bool = False  # vouched for by the identity provider (application.prefill)
    hidden: bool = False  # filled from another field of the page (walk-in: the desk's)
    context: str = ""  # labels of the enclosing groups, for the error summary

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path)

    @property
    def commune_id(self) -> str:
        """A province picker's commune select (the address's sibling field)."""
        parent = self.path.rpartition(".")[0]
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", f"{parent}.commune" if parent else "commune")

    @property
    def hint_id(self) -> str:
        return self.id + "-hint"

    @property
    def error_id(self) -> str:
        return self.id + "-error"

    @property
    def describedby(self) -> str:
        return " ".join(
            ([self.hint_id] if self.hint else []) + ([self.error_id] if self.errors else [])
        )

    @property
    def is_fieldset(self) -> bool:
        return self.kind in ("group", "address") or self.widget == "radio"

    @property
    def widget(self) -> str:
        if self.kind == "choice":
            return "radio" if len(self.choices) <= 4 else "select"
        if self.kind == "organisation":
            return "select"
        if self.kind == "text" and (self.attrs.get("maxlength") or 0) > 200:
            return "textarea"
        return self.kind

    @property
    def str_value(self) -> str:
        return "" if self.value is None else str(self.value)

    @property
    def focus_id(self) -> str:
        """The control a link in the error summary moves to."""
        if self.children:
            return self.children[0].focus_id
        return self.id + "-1" if self.widget == "radio" else self.id

    def leaves(self):
        if self.children:
            for child in self.children:
                yield from child.leaves()
        else:
            yield self


def _build(schema: dict, prefix: str = "", context: str = "") -> list[Field]:
    required = set(schema.get("required") or [])
    fields = []
    for name, spec in (schema.get("properties") or {}).items():
        kind = spec.get("x-egov-type") or ("group" if spec.get("type") == "object" else "text")
        f = Field(
            path=prefix + name,
            label=str(spec.get("title") or name),
            kind=kind,
            required=name in required,
            hint=str(spec.get("description") or ""),
            level=spec.get("x-egov-level", ""),
            context=context,
        )
        if kind == "choice":
            f.choices = [
                (str(o["const"]), str(o.get("title", o["const"])))
                for o in spec.get("oneOf") or []
                if "const" in o
            ] or [(str(v), str(v)) for v in spec.get("enum") or []]
        elif kind == "number":
            f.attrs = {
                "min": spec.get("minimum"),
                "max": spec.get("maximum"),
                "step": "1" if spec.get("type") == "integer" else "any",
            }
        elif kind in ("text", "email") and "maxLength" in spec:
            f.attrs = {"maxlength": spec["maxLength"]}
        if kind in ("group", "address"):
            inner = f"{context} › {f.label}" if context else f.label
            f.children = _build(spec, f.path + ".", inner)
        fields.append(f)
    return fields


def _number(raw: str, integer: bool):
    """A number typed the Vietnamese way (egov.core.numbers): "221.000" is 221000 in either
    kind of field (a "number" field read it as 221.0; an integer field read "1.5" as 15);
    "1.250.000,5" has a decimal comma. What is not a number, or could be read two ways
    ("1.000" where decimals are allowed), is returned as typed for the validator to refuse."""
    value = numbers.parse(raw, whole=integer)
    if value is None:
        return raw
    return value if integer else float(value)


class ApplicationForm:
    """``fixed``: values by field path that the page shows read-only and reads instead of what
    was posted (the identity provider vouched for them); ``initial``: values shown before the
    first POST; ``hidden``: paths among ``fixed`` that the page does not show at all (another
    of its fields asks for them)."""

    def __init__(self, schema: dict, data=None, files=None, fixed=None, initial=None, hidden=()):
        self.schema = schema
        self.fields = _build(schema)
        self.fixed = dict(fixed or {})
        for f in self.all_fields():
            f.readonly = f.path in self.fixed
            f.hidden = f.path in hidden
        self.bound = data is not None
        self.refresh = bool(data is not None and REFRESH in data)
        self.non_field_errors: list[str] = []
        self.cleaned_data: dict | None = None
        self.value: dict = {}
        if self.bound:
            self.value = self._read(self.fields, data, files or {}, top=True) or {}
        else:
            shown = {**(initial or {}), **self.fixed}
            for f in self.all_fields():
                if f.path in shown:
                    f.value = shown[f.path]
        self._fill_organisation_choices()

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or "")

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or "")

    # -- reading the POST ------------------------------------------------------------------

    def _read(self, fields: list[Field], data, files, top=False) -> dict | None:
        value = {}
        for f in fields:
            if f.children:
                inner = self._read(f.children, data, files)
                if inner is None and f.required:
                    inner = {}  # so that the validator names the missing inner fields
                if inner is not None:
                    value[f.path.rsplit(".", 1)[-1]] = inner
                continue
            if f.kind == "file":
                upload = files.get(f.path)
                if upload:
                    digest = hashlib.sha256()
                    for chunk in upload.chunks():
                        digest.update(chunk)
                    f.value = upload.name
                    raw = "upload:" + digest.hexdigest()
                else:
                    raw = ""
            elif f.path in self.fixed:
                raw = f.value = self.fixed[f.path]  # what was posted for it is ignored
            else:
                raw = (data.get(f.path) or "").strip()
                f.value = raw
            if raw == "":
                continue
            if f.kind == "number":
                raw = _number(raw, f.attrs.get("step") == "1")
            value[f.path.rsplit(".", 1)[-1]] = raw
        return value if (value or top) else None

    def _fill_organisation_choices(self) -> None:
        pickers = [f for f in self.all_fields() if f.kind == "organisation"]
        if not pickers:
            return
        current = Organisation.objects.filter(valid_to__isnull=True)
        provinces = list(
            current.filter(level=Level.PROVINCE)
            .order_by("name")
            .values_list("code", "name", "path")
        )
        paths = {code: path for code, _name, path in provinces}
        for f in pickers:
            if f.level == "province":
                f.choices = [(code, name) for code, name, _path in provinces]
            else:
                parent = f.path.rsplit(".", 1)[0]
                province = next((p.value for p in pickers if p.path == parent + ".province"), None)
                if province in paths:
                    f.choices = list(
                        current.filter(level=Level.COMMUNE, path__startswith=paths[province])
                        .order_by("name")
                        .values_list("code", "name")
                    )

    def all_fields(self):
        def walk(fields):
            for f in fields:
                yield f
                yield from walk(f.children)

        return walk(self.fields)

    # -- validation ------------------------------------------------------------------------

    def is_valid(self) -> bool:
        if not self.bound or self.refresh:
            return False
        errors = catalog_forms.validate(self.schema, self.value)
        by_path = {f.path: f for f in self.all_fields()}
        for path, messages in errors.items():
            target = None
            probe = path
            while probe and target is None:
                target = by_path.get(probe)
                probe = probe.rpartition(".")[0]
            if target is None:
                self.non_field_errors.extend(messages)
            else:
                target.errors.extend(m for m in messages if m not in target.errors)
        if not errors:
            self.cleaned_data = self.value
        return not errors

    @property
    def error_list(self) -> list[tuple[Field, str]]:
        return [(f, message) for f in self.all_fields() for message in f.errors]
