"""Sample data for benchmarks and demos: form data the default applicant form accepts."""

from __future__ import annotations

from egov.catalog.forms import default_form


def sample_form(schema: dict | None = None) -> dict:
    schema = schema if schema is not None else default_form()
    return {
        name: _value(field)
        for name, field in schema.get("properties", {}).items()
        if name in schema.get("required", [])
    }


def _value(field: dict):
    kind = field.get("x-egov-type")
    if kind == "address":
        from egov.core.models import Organisation

        commune = Organisation.objects.filter(level="commune", valid_to__isnull=True).first()
        province = commune.parent if commune else None
        return {
            "province": province.code if province else "",
            "commune": commune.code if commune else "",
            "street": "1 Phố Thử",
        }
    if kind == "group" or field.get("type") == "object":
        return sample_form(field)
    return {
        "personal_id": "001099012345",
        "date": "1990-01-01",
        "phone": "0912345678",
        "email": "bench@example.vn",
        "number": 1,
    }.get(kind, field["oneOf"][0]["const"] if kind == "choice" else "Nguyễn Văn Bench")
