"""The citizen's application form filled in from the electronic identity (the OpenID claims kept
on egov.accounts.models.Citizen: name, personal ID number, date of birth, place of residence).

What the identity provider vouched for is *fixed*: shown read-only, and whatever the browser
sends for it is ignored (the form reads the fixed value instead), so the dossier says what the
e-ID says. Phone and e-mail are only *initial*: the citizen may give others for this dossier.

The fields are found in the form's ``applicant`` group (egov.catalog.forms: the person who
applies), by their type (personal_id, date, address, phone, email) and, for the name and the
date of birth, by their key (``full_name``, ``date_of_birth``): a child's date of birth in the
same form is not the applicant's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from egov.core.models import Organisation
from egov.core.models.organisations import Level
from egov.core.text import fold

APPLICANT = "applicant"
# The walk-in desk's applicant fields, by the type of the form's field they fill.
DESK_FIELDS = {
    "personal_id": "applicant_id",
    "phone": "applicant_phone",
    "email": "applicant_email",
}


@dataclass
class Prefill:
    fixed: dict[str, str] = field(default_factory=dict)
    initial: dict[str, str] = field(default_factory=dict)


def _current():
    today = timezone.localdate()
    return Organisation.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))


def residence_units(address: dict) -> tuple[str, str] | None:
    """(province code, commune code) of an ``address`` claim, found by the units' names; None
    when either is not a current unit (the citizen then chooses them)."""
    region, locality = fold(address.get("region", "")), fold(address.get("locality", ""))
    if not region or not locality:
        return None
    province = _current().filter(level=Level.PROVINCE, search_name=region).first()
    if province is None:
        return None
    commune = (
        _current()
        .filter(level=Level.COMMUNE, search_name=locality, path__startswith=province.path)
        .first()
    )
    return (province.code, commune.code) if commune else None


def from_citizen(schema: dict, citizen) -> Prefill:
    """What the e-ID gives the form's applicant group (empty when the form has none)."""
    prefill = Prefill()
    group = (schema or {}).get("properties", {}).get(APPLICANT) or {}
    if citizen is None or group.get("x-egov-type") != "group":
        return prefill
    for key, spec in (group.get("properties") or {}).items():
        path, kind = f"{APPLICANT}.{key}", spec.get("x-egov-type")
        if key == "full_name" and citizen.full_name:
            prefill.fixed[path] = citizen.full_name
        elif kind == "personal_id" and citizen.personal_id_number:
            prefill.fixed[path] = citizen.personal_id_number
        elif kind == "date" and key == "date_of_birth" and citizen.date_of_birth:
            prefill.fixed[path] = citizen.date_of_birth.isoformat()
        elif kind == "address" and citizen.address:
            units = residence_units(citizen.address)
            if units is not None:
                prefill.fixed[f"{path}.province"], prefill.fixed[f"{path}.commune"] = units
                street = citizen.address.get("street_address", "")
                if street and "street" in (spec.get("properties") or {}):
                    prefill.fixed[f"{path}.street"] = street
        elif kind == "phone" and citizen.phone:
            prefill.initial[path] = _national(citizen.phone)
        elif kind == "email" and citizen.email:
            prefill.initial[path] = citizen.email
    return prefill


def from_desk(schema: dict) -> dict[str, str]:
    """The fields of the form's applicant group that the desk's own applicant fields fill at a
    walk-in registration (field path → the desk's field): the name, the ID number, the phone and
    the e-mail, asked once, stored in the form data as a citizen's would be."""
    group = (schema or {}).get("properties", {}).get(APPLICANT) or {}
    if group.get("x-egov-type") != "group":
        return {}
    derived = {}
    for key, spec in (group.get("properties") or {}).items():
        if key == "full_name":
            derived[f"{APPLICANT}.{key}"] = "applicant_name"
        elif spec.get("x-egov-type") in DESK_FIELDS:
            derived[f"{APPLICANT}.{key}"] = DESK_FIELDS[spec["x-egov-type"]]
    return derived


def _national(phone: str) -> str:
    """+84912000001 → 0912000001, as people write it (the form accepts both)."""
    return "0" + phone[3:] if phone.startswith("+84") else phone
