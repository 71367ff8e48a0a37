"""Application forms: a JSON Schema per procedure, and its server-side validation.

A form is a JSON Schema (draft 2020-12) object whose properties carry Vietnamese ``title``s and an
``x-egov-type`` saying which field it is, so that the portal renders the right control and this
module checks what JSON Schema cannot (the organisation tree behind an address):

=============  ==========================================================================
x-egov-type    schema
=============  ==========================================================================
text           {"type": "string", "maxLength": n}
number         {"type": "integer"} or {"type": "number"}, with minimum / maximum
date           {"type": "string", "format": "date"}                       (2026-01-31)
personal_id    {"type": "string", "pattern": "^[0-9]{12}$"}               (số định danh cá nhân)
phone          {"type": "string", "pattern": PHONE_PATTERN}
email          {"type": "string", "format": "email"}
address        {"type": "object", properties province, commune (organisation codes), street}
choice         {"type": "string", "oneOf": [{"const": "nam", "title": "Nam"}, ...]}
file           {"type": "string", "pattern": FILE_PATTERN}               (a stored file's reference)
=============  ==========================================================================

Groups of fields are nested objects with a ``title`` and ``x-egov-type: "group"``. The same
``validate()`` serves the portal's HTML form and API submissions.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from egov.core.text import fold

PERSONAL_ID_PATTERN = "^[0-9]{12}$"
PHONE_PATTERN = r"^(0|\+84)[1-9][0-9]{8}$"
FILE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$"
FIELD_TYPES = (
    "text",
    "number",
    "date",
    "personal_id",
    "phone",
    "email",
    "address",
    "choice",
    "file",
    "group",
)


# --- building blocks ------------------------------------------------------------------------


def text(title: str, max_length: int = 200, **extra) -> dict:
    return {
        "type": "string",
        "title": title,
        "maxLength": max_length,
        "x-egov-type": "text",
    } | extra


def number(title: str, *, integer: bool = True, minimum=0, maximum=None) -> dict:
    spec = {"type": "integer" if integer else "number", "title": title, "x-egov-type": "number"}
    if minimum is not None:
        spec["minimum"] = minimum
    if maximum is not None:
        spec["maximum"] = maximum
    return spec


def date(title: str) -> dict:
    return {"type": "string", "format": "date", "title": title, "x-egov-type": "date"}


def personal_id(title: str = "Số định danh cá nhân") -> dict:
    return {
        "type": "string",
        "pattern": PERSONAL_ID_PATTERN,
        "title": title,
        "x-egov-type": "personal_id",
    }


def phone(title: str = "Số điện thoại") -> dict:
    return {"type": "string", "pattern": PHONE_PATTERN, "title": title, "x-egov-type": "phone"}


def email(title: str = "Thư điện tử") -> dict:
    return {
        "type": "string",
        "format": "email",
        "maxLength": 254,
        "title": title,
        "x-egov-type": "email",
    }


def address(title: str) -> dict:
    return {
        "type": "object",
        "title": title,
        "x-egov-type": "address",
        "properties": {
            "province": {
                "type": "string",
                "title": "Tỉnh, thành phố",
                "x-egov-type": "organisation",
                "x-egov-level": "province",
            },
            "commune": {
                "type": "string",
                "title": "Xã, phường, đặc khu",
                "x-egov-type": "organisation",
                "x-egov-level": "commune",
            },
            "street": {"type": "string", "title": "Số nhà, đường, thôn, tổ", "maxLength": 200},
        },
        "required": ["province", "commune"],
        "additionalProperties": False,
    }


def choice(title: str, options: list[tuple[str, str]]) -> dict:
    return {
        "type": "string",
        "title": title,
        "x-egov-type": "choice",
        "oneOf": [{"const": value, "title": label} for value, label in options],
    }


def file(title: str) -> dict:
    return {"type": "string", "pattern": FILE_PATTERN, "title": title, "x-egov-type": "file"}


def group(title: str, properties: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "title": title,
        "x-egov-type": "group",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def form(title: str, properties: dict, required: list[str]) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


SEX = [("nam", "Nam"), ("nu", "Nữ")]


def _person(title: str, *, required: list[str]) -> dict:
    return group(
        title,
        {
            "full_name": text("Họ, chữ đệm và tên", 100),
            "date_of_birth": date("Ngày, tháng, năm sinh"),
            "ethnicity": text("Dân tộc", 50),
            "nationality": text("Quốc tịch", 50),
            "personal_id": personal_id(),
            "residence": address("Nơi cư trú"),
        },
        required,
    )


def _applicant(relationship_title: str | None = None) -> dict:
    properties = {
        "full_name": text("Họ, chữ đệm và tên người yêu cầu", 100),
        "personal_id": personal_id(),
        "phone": phone(),
        "email": email(),
        "residence": address("Nơi cư trú"),
    }
    required = ["full_name", "personal_id", "phone", "residence"]
    if relationship_title:
        properties["relationship"] = text(relationship_title, 50)
        required.append("relationship")
    return group("Người yêu cầu", properties, required)


# --- the demo forms -------------------------------------------------------------------------


def birth_registration() -> dict:
    """Tờ khai đăng ký khai sinh (1.001193), after the form of Thông tư 04/2024/TT-BTP."""
    return form(
        "Tờ khai đăng ký khai sinh",
        {
            "applicant": _applicant("Quan hệ với người được khai sinh"),
            "child": group(
                "Người được khai sinh",
                {
                    "full_name": text("Họ, chữ đệm và tên", 100),
                    "sex": choice("Giới tính", SEX),
                    "date_of_birth": date("Ngày, tháng, năm sinh"),
                    "place_of_birth": text("Nơi sinh (cơ sở y tế hoặc địa chỉ)", 200),
                    "birth_place_address": address("Địa chỉ nơi sinh"),
                    "ethnicity": text("Dân tộc", 50),
                    "nationality": text("Quốc tịch", 50),
                    "hometown": text("Quê quán", 200),
                },
                ["full_name", "sex", "date_of_birth", "place_of_birth", "ethnicity"],
            ),
            "mother": _person("Thông tin người mẹ", required=["full_name"]),
            "father": _person("Thông tin người cha", required=["full_name"]),
            "birth_certificate": file("Giấy chứng sinh (hoặc văn bản thay thế)"),
            "copies_requested": number("Số bản sao Giấy khai sinh đề nghị cấp", maximum=20),
        },
        ["applicant", "child", "mother", "birth_certificate"],
    )


def permanent_residence() -> dict:
    """Tờ khai thay đổi thông tin cư trú (mẫu CT01) for permanent residence (1.004222)."""
    return form(
        "Tờ khai thay đổi thông tin cư trú (đăng ký thường trú)",
        {
            "applicant": group(
                "Người đề nghị đăng ký thường trú",
                {
                    "full_name": text("Họ, chữ đệm và tên", 100),
                    "date_of_birth": date("Ngày, tháng, năm sinh"),
                    "sex": choice("Giới tính", SEX),
                    "personal_id": personal_id(),
                    "phone": phone(),
                    "email": email(),
                },
                ["full_name", "date_of_birth", "sex", "personal_id", "phone"],
            ),
            "household_head": group(
                "Chủ hộ",
                {
                    "full_name": text("Họ, chữ đệm và tên chủ hộ", 100),
                    "personal_id": personal_id("Số định danh cá nhân của chủ hộ"),
                    "relationship": text("Quan hệ với chủ hộ", 50),
                },
                ["full_name", "personal_id", "relationship"],
            ),
            "new_address": address("Địa chỉ đăng ký thường trú"),
            "basis": choice(
                "Trường hợp đăng ký",
                [
                    ("own_home", "Có chỗ ở hợp pháp thuộc quyền sở hữu của mình"),
                    ("family", "Về ở với vợ, chồng, con, cha, mẹ ... (được chủ hộ đồng ý)"),
                    ("rented", "Thuê, mượn, ở nhờ chỗ ở hợp pháp"),
                    ("other", "Trường hợp khác"),
                ],
            ),
            "request": text("Nội dung đề nghị", 1000),
            "legal_residence_proof": file("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"),
        },
        ["applicant", "household_head", "new_address", "basis", "legal_residence_proof"],
    )


def business_household() -> dict:
    """Giấy đề nghị đăng ký hộ kinh doanh (1.001612)."""
    return form(
        "Giấy đề nghị đăng ký hộ kinh doanh",
        {
            "business_name": text("Tên hộ kinh doanh", 200),
            "business_address": address("Địa chỉ trụ sở hộ kinh doanh"),
            "phone": phone("Điện thoại"),
            "email": email(),
            "business_lines": text("Ngành, nghề kinh doanh", 2000),
            "capital_vnd": number("Vốn kinh doanh (đồng)", minimum=0),
            "employees": number("Số lượng lao động", minimum=0, maximum=10000),
            "owner": group(
                "Chủ hộ kinh doanh",
                {
                    "full_name": text("Họ, chữ đệm và tên", 100),
                    "date_of_birth": date("Ngày, tháng, năm sinh"),
                    "sex": choice("Giới tính", SEX),
                    "personal_id": personal_id(),
                    "residence": address("Nơi cư trú"),
                },
                ["full_name", "date_of_birth", "sex", "personal_id", "residence"],
            ),
            "premises_proof": file("Giấy tờ về quyền sử dụng địa điểm kinh doanh"),
        },
        ["business_name", "business_address", "phone", "business_lines", "capital_vnd", "owner"],
    )


def default_form(title: str = "Đơn đề nghị") -> dict:
    """The applicant's details every procedure needs, until its own form is written."""
    return form(
        title,
        {
            "applicant": _applicant(),
            "request": text("Nội dung đề nghị", 2000),
        },
        ["applicant", "request"],
    )


BUNDLED = {
    "1.001193": birth_registration,
    "1.004222": permanent_residence,
    "1.001612": business_household,
}


def form_for(code: str) -> dict:
    """The bundled form of a procedure, or the default applicant form."""
    return copy.deepcopy(BUNDLED[code]() if code in BUNDLED else default_form())


# --- a document is asked once ---------------------------------------------------------------

# A file field asks for a document again when most words of its name (before any bracket or
# semicolon, diacritics ignored) are words of the document's name: "Giấy chứng sinh (hoặc văn
# bản thay thế)" and "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì ...".
_SAME_DOCUMENT = 0.75


def _words(text: str) -> set[str]:
    head = re.split(r"[(;]", text or "", maxsplit=1)[0]
    return {w for w in re.split(r"[^0-9a-z]+", fold(head)) if w}


def same_document(field_title: str, document_name: str) -> bool:
    words = _words(field_title)
    if len(words) < 2:  # one word ("Ảnh") says too little
        return False
    return len(words & _words(document_name)) / len(words) >= _SAME_DOCUMENT


def documents_asked_again(schema: dict, documents) -> dict[str, tuple[object, bool]]:
    """{path: (document, required)} of the form's file fields that ask for one of
    ``documents`` (objects with a ``name``: the procedure's required documents, which the
    application pages ask for in their own list, upload or data store)."""
    found = {}
    documents = list(documents)
    for path, spec, required in iter_fields(schema):
        if spec.get("x-egov-type") != "file":
            continue
        match = next((d for d in documents if same_document(spec.get("title", ""), d.name)), None)
        if match is not None:
            found[path] = (match, required)
    return found


def without_fields(schema: dict, paths) -> dict:
    """A copy of ``schema`` without the fields at ``paths`` (nor their ``required``)."""
    schema = copy.deepcopy(schema)
    for path in paths:
        *groups, name = path.split(".")
        spec = schema
        for group in groups:
            spec = (spec.get("properties") or {}).get(group) or {}
        (spec.get("properties") or {}).pop(name, None)
        if name in (spec.get("required") or []):
            spec["required"] = [r for r in spec["required"] if r != name]
    return schema


def without_data(data: dict, paths) -> dict:
    """A copy of the submitted ``data`` without the values at ``paths``."""
    data = copy.deepcopy(data) if isinstance(data, dict) else data
    for path in paths:
        *groups, name = path.split(".")
        node = data
        for group in groups:
            node = node.get(group) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(name, None)
    return data


# --- checking a schema ----------------------------------------------------------------------


def iter_fields(schema: dict, prefix: str = "") -> Iterator[tuple[str, dict, bool]]:
    """(dotted path, field schema, required) for every field, groups and addresses included."""
    required = set(schema.get("required") or [])
    for name, spec in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        yield path, spec, name in required
        if spec.get("x-egov-type") == "group":
            yield from iter_fields(spec, path + ".")


def check_schema(schema: dict) -> None:
    """Raise ValidationError if ``schema`` is not a form this platform can render and check."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise ValidationError(_("A form is a JSON Schema of type object."))
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise ValidationError(
            _("The form is not a valid JSON Schema: %(error)s") % {"error": exc.message}
        ) from exc
    problems = []
    for path, spec, _required in iter_fields(schema):
        kind = spec.get("x-egov-type")
        if kind not in FIELD_TYPES:
            problems.append(
                _("Field %(field)s: unknown field type “%(type)s”.") % {"field": path, "type": kind}
            )
        if not (spec.get("title") or "").strip():
            problems.append(_("Field %(field)s has no label.") % {"field": path})
    if problems:
        raise ValidationError(problems)


# --- validating a submission ----------------------------------------------------------------


def _message(error, kind: str | None) -> str:
    validator = error.validator
    if validator == "required":
        return _("This field is required.")
    if kind == "personal_id":
        return _("Enter the 12-digit personal identification number.")
    if kind == "phone":
        return _("Enter a phone number like 0912345678.")
    if kind == "email":
        return _("Enter a valid e-mail address.")
    if kind == "date":
        return _("Enter a date like 2026-01-31.")
    if kind == "file":
        return _("Attach a file.")
    if validator in {"oneOf", "enum", "const"}:
        return _("Choose one of the options.")
    if validator == "maxLength":
        return _("Enter at most %(n)d characters.") % {"n": error.validator_value}
    if validator == "minimum":
        return _("Enter a number of at least %(n)s.") % {"n": error.validator_value}
    if validator == "maximum":
        return _("Enter a number of at most %(n)s.") % {"n": error.validator_value}
    if validator == "type" and kind == "number":
        return (
            _("Enter a whole number.")
            if error.validator_value == "integer"
            else _("Enter a number.")
        )
    if validator == "additionalProperties":
        return _("This form has no such field.")
    return _("This value is not valid.")


def _schema_at(schema: dict, path: list) -> dict:
    spec = schema
    for part in path:
        spec = (spec.get("properties") or {}).get(part, {})
    return spec


def validate(schema: dict, data, units: dict | None = None) -> dict[str, list[str]]:
    """Errors by dotted field path ({} when ``data`` is valid), messages in the active language.
    ``units``: the administrative units already looked up (a batch of applications shares it)."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path = [*path, missing]
        elif error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            path = [*path, *(extra[:1])]
        spec = _schema_at(schema, path)
        key = ".".join(path) or "non_field_errors"
        message = _message(error, spec.get("x-egov-type"))
        if message not in errors.get(key, []):
            errors.setdefault(key, []).append(message)
    if not errors:
        _check_addresses(schema, data, errors, units=units if units is not None else {})
    return errors


def _check_addresses(schema: dict, data: dict, errors: dict, prefix: str = "", *, units) -> None:
    """An address's province and commune must be current units, the commune in the province."""
    from egov.core.models.organisations import Level

    for name, spec in (schema.get("properties") or {}).items():
        value = data.get(name) if isinstance(data, dict) else None
        path = f"{prefix}{name}"
        if value is None:
            continue
        kind = spec.get("x-egov-type")
        if kind == "group":
            _check_addresses(spec, value, errors, path + ".", units=units)
        elif kind == "address":
            import datetime as dt

            today = dt.date.today()
            province = _unit(units, value["province"], today)
            if province is None or province.level != Level.PROVINCE:
                errors.setdefault(f"{path}.province", []).append(_("Choose a province."))
                continue
            commune = _unit(units, value["commune"], today)
            if commune is None or commune.level != Level.COMMUNE:
                errors.setdefault(f"{path}.commune", []).append(_("Choose a commune."))
            elif not commune.path.startswith(province.path):
                errors.setdefault(f"{path}.commune", []).append(
                    _("This commune is not in the chosen province.")
                )


def _unit(units: dict, code: str, day):
    """The unit bearing ``code`` on ``day``, looked up once per ``units`` memo."""
    from egov.core.services.organisations import resolve

    if (code, day) not in units:
        units[code, day] = resolve(code, day)
    return units[code, day]


def clean_submission(schema: dict, data, units: dict | None = None) -> dict:
    """``data`` if valid, else ValidationError keyed by field path (for services and the API)."""
    errors = validate(schema, data, units)
    if errors:
        raise ValidationError(errors)
    return data
