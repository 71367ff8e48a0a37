"""The content of a procedure version as one plain dict, checked, hashed, written and read back.

Every reader (procedures.json, catalogue-index.jsonl, the national portal layout, the API, the
admin) produces this shape, and every writer starts from it::

    {
      "code": "1.001193", "name": "...", "status": "active", "scope": "standard",
      "sectors": ["Hộ tịch"],
      "publishing_agency": {"code": "000.00.00.G15" or None, "name": "Bộ Tư pháp"},
      "published_by_decision": "163/QĐ-BTP",
      "implementing_agencies": [
          {"code": None, "name": "Ủy ban nhân dân cấp xã", "level": "commune"}
      ],
      "levels": ["commune"],
      "steps": [{"case": "", "steps": ["..."]}],
      "channels": [{"channel": "online", "case": "", "time_limit": "1", "time_unit": "working_days",
                    "time_text": "", "description": "",
                    "fees": [{"kind": "fee", "code": "", "amount_vnd": 0, "description": ""}]}],
      "required_documents": [{"name": "...", "case": "", "originals": 1, "copies": 0,
                              "form_templates": [{"name": "...", "code": "", "url": ""}]}],
      "requirements": "", "applicant_types": ["Công dân Việt Nam"],
      "results": [{"name": "Giấy khai sinh", "code": "KQ.G15.000031"}],
      "legal_basis": [{"number": "60/2014/QH13", "title": ""}],
      "online_level": "full" | "partial" | "info", "detailed": True,
      "application_form": {...JSON Schema...}, "notes": "", "source": {...}
    }
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.catalog.models import (
    Channel,
    ChannelKind,
    Fee,
    FeeKind,
    FormTemplate,
    ImplementingAgency,
    OnlineLevel,
    ProcedureScope,
    ProcedureStatus,
    ProcedureVersion,
    RequiredDocument,
    Sector,
)
from egov.core.calendar import Unit
from egov.core.models import Organisation
from egov.core.models.organisations import Level
from egov.core.services.organisations import resolve
from egov.core.text import fold

# Codes of the national catalogue: "1.001193"; a few real ones have more digits ("2.009182739").
PROCEDURE_CODE_RE = re.compile(r"^\d{1,2}\.\d{6,9}$")

# Content fields that make up a version (what the hash covers).
VERSION_FIELDS = (
    "name",
    "sectors",
    "publishing_agency",
    "published_by_decision",
    "implementing_agencies",
    "levels",
    "steps",
    "channels",
    "required_documents",
    "requirements",
    "applicant_types",
    "results",
    "legal_basis",
    "online_level",
    "detailed",
    "application_form",
    "notes",
)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _texts(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [t for t in (_text(v) for v in values) if t]


def _count(value, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(number, 0)


def full_agency_code(code: str | None) -> str | None:
    """ "G15" (the portal's short form of a ministry's code) → "000.00.00.G15"."""
    code = _text(code) or None
    if code and re.fullmatch(r"[GH]\d{2}", code):
        return f"000.00.00.{code}"
    return code


def clean(data: dict, *, agencies: AgencyResolver | None = None) -> dict:
    """Check ``data`` and return it in the canonical shape; ValidationError lists every problem.

    Agencies given by code must resolve to an organisation (``agencies`` caches the lookups).
    """
    agencies = agencies or AgencyResolver()
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    code = _text(data.get("code"))
    if not code:
        err("code", _("The procedure code is missing."))
    elif not PROCEDURE_CODE_RE.match(code):
        err("code", _("“%(code)s” is not a procedure code like 1.001193.") % {"code": code})
    name = " ".join(_text(data.get("name")).split())
    if not name:
        err("name", _("The procedure name is missing."))
    status = _text(data.get("status")) or ProcedureStatus.ACTIVE
    if status not in ProcedureStatus.values:
        err("status", _("Unknown status “%(value)s”.") % {"value": status})
    scope = _text(data.get("scope"))
    if scope and scope not in ProcedureScope.values:
        err("scope", _("Unknown scope “%(value)s”.") % {"value": scope})
    online_level = _text(data.get("online_level")) or OnlineLevel.INFO
    if online_level not in OnlineLevel.values:
        err("online_level", _("Unknown online level “%(value)s”.") % {"value": online_level})

    levels = []
    for level in _texts(data.get("levels")):
        if level not in Level.values:
            err("levels", _("Unknown level “%(level)s”.") % {"level": level})
        elif level not in levels:
            levels.append(level)

    publisher = data.get("publishing_agency") or {}
    if isinstance(publisher, str):
        publisher = {"name": publisher}
    publisher = {
        "code": full_agency_code(publisher.get("code")),
        "name": _text(publisher.get("name")),
    }
    if publisher["code"] and agencies.by_code(publisher["code"]) is None:
        err(
            "publishing_agency",
            _("Unknown agency code “%(code)s”.") % {"code": publisher["code"]},
        )

    implementing = []
    for item in data.get("implementing_agencies") or []:
        if isinstance(item, str):
            item = {"name": item}
        agency = {
            "code": full_agency_code(item.get("code")),
            "name": _text(item.get("name")),
            "level": _text(item.get("level")),
        }
        if agency["level"] and agency["level"] not in Level.values:
            err("implementing_agencies", _("Unknown level “%(level)s”.") % agency)
        if agency["code"]:
            org = agencies.by_code(agency["code"])
            if org is None:
                err(
                    "implementing_agencies",
                    _("Unknown agency code “%(code)s”.") % {"code": agency["code"]},
                )
            elif not agency["name"]:
                agency["name"] = org.name
        if agency["name"] or agency["code"]:
            implementing.append(agency)

    channels = []
    for index, item in enumerate(data.get("channels") or [], start=1):
        kind = _text(item.get("channel"))
        if kind not in ChannelKind.values:
            err(
                "channels",
                _("Channel %(n)d: unknown channel “%(value)s”.") % {"n": index, "value": kind},
            )
        time_limit = item.get("time_limit")
        unit = _text(item.get("time_unit"))
        if time_limit in (None, ""):
            time_limit = None
            if unit and unit not in Unit.values:
                err(
                    "channels",
                    _("Channel %(n)d: unknown time unit “%(unit)s”.") % {"n": index, "unit": unit},
                )
        else:
            try:
                amount = Decimal(str(time_limit))
            except InvalidOperation:
                amount = None
            if amount is None or amount < 0 or not amount.is_finite():
                err(
                    "channels",
                    _("Channel %(n)d: the time limit “%(value)s” is not a non-negative number.")
                    % {"n": index, "value": time_limit},
                )
            else:
                time_limit = format(amount.normalize(), "f")
            if unit not in Unit.values:
                err(
                    "channels",
                    _("Channel %(n)d: unknown time unit “%(unit)s”.") % {"n": index, "unit": unit},
                )
        fees = []
        for fee in item.get("fees") or []:
            amount = fee.get("amount_vnd")
            if amount in ("", None):
                amount = None
            else:
                try:
                    amount = int(Decimal(str(amount)))
                except (InvalidOperation, ValueError):
                    amount = "bad"
                if amount == "bad" or amount < 0:
                    err(
                        "channels",
                        _("Channel %(n)d: the fee “%(value)s” is not an amount of 0 VND or more.")
                        % {"n": index, "value": fee.get("amount_vnd")},
                    )
                    amount = None
            fee_kind = _text(fee.get("kind")) or FeeKind.FEE
            if fee_kind not in FeeKind.values:
                err("channels", _("Unknown fee kind “%(value)s”.") % {"value": fee_kind})
            fees.append(
                {
                    "kind": fee_kind,
                    "code": _text(fee.get("code")),
                    "amount_vnd": amount,
                    "description": _text(fee.get("description")),
                }
            )
        channels.append(
            {
                "channel": kind,
                "case": _text(item.get("case")),
                "time_limit": time_limit,
                "time_unit": unit if time_limit is not None else "",
                "time_text": _text(item.get("time_text")),
                "description": _text(item.get("description")),
                "fees": fees,
            }
        )

    documents = []
    for item in data.get("required_documents") or []:
        if isinstance(item, str):
            item = {"name": item}
        doc_name = _text(item.get("name"))
        if not doc_name:
            err("required_documents", _("A required document has no name."))
            continue
        documents.append(
            {
                "name": doc_name,
                "case": _text(item.get("case")),
                "originals": _count(item.get("originals"), 1),
                "copies": _count(item.get("copies"), 0),
                "form_templates": [
                    {
                        "name": _text(t.get("name")),
                        "code": _text(t.get("code")),
                        "url": _text(t.get("url")),
                    }
                    for t in item.get("form_templates") or []
                    if _text(t.get("name")) or _text(t.get("url"))
                ],
            }
        )

    steps = []
    for item in data.get("steps") or []:
        if isinstance(item, str):
            item = {"case": "", "steps": [item]}
        texts = _texts(item.get("steps"))
        if texts:
            steps.append({"case": _text(item.get("case")), "steps": texts})

    form = data.get("application_form") or {}
    if form:
        from egov.catalog import forms

        try:
            forms.check_schema(form)
        except ValidationError as exc:
            for message in exc.messages:
                err("application_form", message)

    if errors:
        raise ValidationError(errors)
    return {
        "code": code,
        "name": name,
        "status": status,
        "scope": scope,
        # Sorted: the order of sectors carries no meaning, and stored versions read them sorted.
        "sectors": sorted(set(" ".join(s.split()) for s in _texts(data.get("sectors")))),
        "publishing_agency": publisher,
        "published_by_decision": _text(data.get("published_by_decision")),
        "implementing_agencies": implementing,
        "levels": levels,
        "steps": steps,
        "channels": channels,
        "required_documents": documents,
        "requirements": _text(data.get("requirements")),
        "applicant_types": _texts(data.get("applicant_types")),
        "results": [
            {"name": _text(r.get("name")), "code": _text(r.get("code"))}
            for r in (data.get("results") or [])
            if _text(r.get("name")) or _text(r.get("code"))
        ],
        "legal_basis": [
            {"number": _text(r.get("number")), "title": _text(r.get("title"))}
            for r in (data.get("legal_basis") or [])
            if _text(r.get("number")) or _text(r.get("title"))
        ],
        "online_level": online_level,
        "detailed": bool(data.get("detailed", bool(channels or documents))),
        "application_form": form,
        "notes": _text(data.get("notes")),
        "source": data.get("source") or {},
    }


def content_hash(content: dict) -> str:
    payload = {name: content.get(name) for name in VERSION_FIELDS}
    payload["status"] = content.get("status")
    payload["scope"] = content.get("scope")
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


class AgencyResolver:
    """Organisation lookups by electronic code (or short code "G15") and by published name."""

    def __init__(self) -> None:
        self._codes: dict[str, Organisation | None] = {}
        self._names: dict[str, Organisation | None] | None = None

    def by_code(self, code: str) -> Organisation | None:
        code = code.strip()
        if re.fullmatch(r"[GH]\d{2}", code):
            code = f"000.00.00.{code}"
        if code not in self._codes:
            self._codes[code] = resolve(code)
        return self._codes[code]

    def by_name(self, name: str) -> Organisation | None:
        """A central body or a province by its published name ("Bộ Tư pháp", "UBND tỉnh Huế")."""
        if self._names is None:
            self._names = {}
            for org in Organisation.objects.filter(
                level__in=[Level.CENTRAL, Level.PROVINCE], valid_to__isnull=True
            ).only("id", "code", "name", "search_name", "level"):
                key = org.search_name
                self._names.setdefault(key, org)
                if org.level == Level.PROVINCE:
                    bare = re.sub(r"^(tinh|thanh pho) ", "", key)
                    self._names.setdefault(bare, org)
        key = fold(re.sub(r"\(.*?\)", "", name or ""))
        key = re.sub(r"^(ubnd|uy ban nhan dan) ", "", key)
        if key in self._names:
            return self._names[key]
        return self._names.get(re.sub(r"^(tinh|thanh pho) ", "", key))


def _sector_code(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:64]


def sectors_for(names: list[str], cache: dict[str, Sector] | None = None) -> list[Sector]:
    """The Sector rows for these names, created when new."""
    cache = {} if cache is None else cache
    result = []
    for name in names:
        if name not in cache:
            sector = Sector.objects.filter(name=name).first()
            if sector is None:
                sector = Sector.objects.create(
                    name=name, code=_unique_sector_code(name), search_name=fold(name)
                )
            cache[name] = sector
        result.append(cache[name])
    return result


def _unique_sector_code(name: str) -> str:
    base = _sector_code(name) or "sector"
    code, n = base, 1
    while Sector.objects.filter(code=code).exists():
        n += 1
        code = f"{base[:60]}-{n}"
    return code


def write_version(version: ProcedureVersion, content: dict, resolver: AgencyResolver) -> None:
    """Set the version's fields and replace its children from canonical ``content``."""
    publisher = content["publishing_agency"]
    org = None
    if publisher["code"]:
        org = resolver.by_code(publisher["code"])
    elif publisher["name"]:
        org = resolver.by_name(publisher["name"])
    version.name = content["name"]
    version.publishing_agency = org
    version.publishing_agency_name = publisher["name"] or (org.name if org else "")
    for name in (
        "published_by_decision",
        "levels",
        "steps",
        "requirements",
        "applicant_types",
        "results",
        "legal_basis",
        "online_level",
        "detailed",
        "application_form",
        "notes",
    ):
        setattr(version, name, content[name])
    version.source = {**content["source"], "publisher_by_code": bool(publisher["code"])}
    version.content_hash = content_hash(content)
    version.save()
    version.sectors.set(sectors_for(content["sectors"]))
    version.implementing_agencies.all().delete()
    version.channels.all().delete()
    version.required_documents.all().delete()
    ImplementingAgency.objects.bulk_create(
        ImplementingAgency(
            version=version,
            organisation=resolver.by_code(a["code"]) if a["code"] else None,
            name=a["name"],
            level=a["level"],
            order=i,
        )
        for i, a in enumerate(content["implementing_agencies"])
    )
    for item in content["channels"]:
        channel = Channel.objects.create(
            version=version,
            kind=item["channel"],
            case=item["case"],
            time_limit=None if item["time_limit"] is None else Decimal(item["time_limit"]),
            time_unit=item["time_unit"],
            time_text=item["time_text"],
            description=item["description"],
        )
        Fee.objects.bulk_create(Fee(channel=channel, **fee) for fee in item["fees"])
    for i, item in enumerate(content["required_documents"]):
        doc = RequiredDocument.objects.create(
            version=version,
            name=item["name"],
            case=item["case"],
            originals=item["originals"],
            copies=item["copies"],
            order=i,
        )
        FormTemplate.objects.bulk_create(
            FormTemplate(document=doc, **t) for t in item["form_templates"]
        )


def _decimal_text(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def read_version(version: ProcedureVersion) -> dict:
    """The canonical content of a stored version (the inverse of write_version)."""
    procedure = version.procedure
    publisher_code = version.publishing_agency.code if version.publishing_agency_id else None
    source = version.source or {}
    return {
        "code": procedure.code,
        "name": version.name,
        "status": procedure.status,
        "scope": procedure.scope,
        "sectors": [s.name for s in version.sectors.all()],
        "publishing_agency": {
            # A publisher found by name stays a name: only codes given on input are codes.
            "code": publisher_code if source.get("publisher_by_code") else None,
            "name": version.publishing_agency_name,
        },
        "published_by_decision": version.published_by_decision,
        "implementing_agencies": [
            {
                "code": a.organisation.code if a.organisation_id else None,
                "name": a.name,
                "level": a.level,
            }
            for a in version.implementing_agencies.all()
        ],
        "levels": list(version.levels),
        "steps": list(version.steps),
        "channels": [
            {
                "channel": c.kind,
                "case": c.case,
                "time_limit": _decimal_text(c.time_limit),
                "time_unit": c.time_unit,
                "time_text": c.time_text,
                "description": c.description,
                "fees": [
                    {
                        "kind": f.kind,
                        "code": f.code,
                        "amount_vnd": f.amount_vnd,
                        "description": f.description,
                    }
                    for f in c.fees.all()
                ],
            }
            for c in version.channels.all()
        ],
        "required_documents": [
            {
                "name": d.name,
                "case": d.case,
                "originals": d.originals,
                "copies": d.copies,
                "form_templates": [
                    {"name": t.name, "code": t.code, "url": t.url} for t in d.form_templates.all()
                ],
            }
            for d in version.required_documents.all()
        ],
        "requirements": version.requirements,
        "applicant_types": list(version.applicant_types),
        "results": list(version.results),
        "legal_basis": list(version.legal_basis),
        "online_level": version.online_level,
        "detailed": version.detailed,
        "application_form": version.application_form,
        "notes": version.notes,
        "source": source,
    }


def search_text(code: str, name: str, sectors: list[str], agency_names: list[str]) -> str:
    return fold(" ".join([code, name, *sectors, *agency_names]))
