"""A dossier's form data as people read it: labels from the schema, names not codes.

The stored form data is what the schema describes (egov.catalog.forms): administrative units as
organisation codes (``000.00.00.H17``), choices as their values (``nu``), dates as ISO strings
(``2026-11-30``) and files as references (``upload:<sha-256>``). An official reads the labels:
units by name (as they were named on the day the dossier came in: a merged commune keeps its
old name in an old dossier), a choice by its title (``Nữ``), dates as dd/mm/yyyy and files as
links to the dossier's component of the same content.

Every unit of the form is read in one query, whatever the number of addresses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F

from egov.core.models import Organisation

FILE_PREFIX = "upload:"


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    # A file: the component it is stored as (its link is the page's to build).
    component: object = None


def _units(schema: dict, value: dict) -> set[str]:
    """The organisation codes of every address of ``value``."""
    codes = set()
    props = (schema or {}).get("properties", {})
    for key, item in (value or {}).items():
        spec = props.get(key, {})
        if not isinstance(item, dict):
            continue
        if spec.get("x-egov-type") == "address":
            codes.update(str(item[k]) for k in ("province", "commune") if item.get(k))
        else:
            codes |= _units(spec, item)
    return codes


def unit_names(codes, on: dt.date | None) -> dict[str, str]:
    """{code: name} of the units bearing ``codes`` on ``on`` (else their latest name)."""
    names: dict[str, str] = {}
    if not codes:
        return names
    rows = (
        Organisation.objects.filter(code__in=codes)
        .order_by("code", F("valid_from").desc(nulls_last=True))
        .values_list("code", "name", "valid_from", "valid_to")
    )
    dated: dict[str, str] = {}
    for code, name, start, end in rows:
        names.setdefault(code, name)  # the newest unit bearing the code
        if on is None or ((start is None or start <= on) and (end is None or end >= on)):
            dated.setdefault(code, name)
    return names | dated


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


def _choice(spec: dict, value) -> str:
    for option in spec.get("oneOf") or []:
        if option.get("const") == value:
            return str(option.get("title") or value)
    return str(value)


def _address(item: dict, names: dict[str, str]) -> str:
    parts = [str(item.get("street") or "").strip()]
    parts += [names.get(str(item.get(k)), str(item.get(k) or "")) for k in ("commune", "province")]
    return ", ".join(p for p in parts if p)


def _text(spec: dict, item) -> str:
    kind = spec.get("x-egov-type")
    if isinstance(item, bool):
        return "Có" if item else "Không"
    if kind == "choice":
        return _choice(spec, item)
    if kind == "date" or spec.get("format") == "date":
        return _date(str(item))
    if kind == "number" and isinstance(item, int) and not isinstance(item, bool):
        return f"{item:,}".replace(",", ".")
    return str(item)


def form_rows(schema: dict, value: dict, *, components=(), on: dt.date | None = None) -> list[Row]:
    """The rows of the form as it is read: one per field, an address in one row."""
    names = unit_names(_units(schema, value), on)
    by_digest = {c.sha256: c for c in components if getattr(c, "sha256", "")}
    return _rows(schema, value, names, by_digest, "")


def _rows(schema, value, names, by_digest, prefix) -> list[Row]:
    rows = []
    props = (schema or {}).get("properties", {})
    for key, item in (value or {}).items():
        spec = props.get(key, {})
        label = f"{prefix}{spec.get('title') or key}"
        if isinstance(item, dict):
            if spec.get("x-egov-type") == "address":
                rows.append(Row(label, _address(item, names)))
            else:
                rows += _rows(spec, item, names, by_digest, f"{label} › ")
        elif isinstance(item, str) and item.startswith(FILE_PREFIX):
            component = by_digest.get(item[len(FILE_PREFIX) :])
            rows.append(Row(label, component.name if component else "—", component))
        else:
            rows.append(Row(label, _text(spec, item)))
    return rows
