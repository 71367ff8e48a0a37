"""Create and change organisations of the government tree (one door for every writer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from egov.core.models import Organisation
from egov.core.models.organisations import Level, validate_code
from egov.core.services import audit
from egov.core.text import fold

# Which level may sit under which: before 2025 provinces had districts, since 1 July 2025 the
# communes hang directly under the province.
ALLOWED_PARENT_LEVELS = {
    Level.CENTRAL: {None, Level.CENTRAL},
    Level.PROVINCE: {None},
    Level.DISTRICT: {Level.PROVINCE},
    Level.COMMUNE: {Level.PROVINCE, Level.DISTRICT},
}


def _overlap(a_from, a_to, b_from, b_to) -> bool:
    lo = dt.date.min
    hi = dt.date.max
    return (a_from or lo) <= (b_to or hi) and (b_from or lo) <= (a_to or hi)


def check(org: Organisation, *, same_code: list[Organisation] | None = None) -> None:
    """Raise ValidationError (messages in the active language) if ``org`` may not be saved.

    ``same_code``: the other units bearing the same code, when the caller already has them.
    """
    errors: dict[str, list[str]] = {}
    try:
        validate_code(org.code)
    except ValidationError as exc:
        errors["code"] = exc.messages
    if not (org.name or "").strip():
        errors["name"] = [_("A name is required.")]
    if org.level not in Level.values:
        errors["level"] = [_("Unknown level “%(level)s”.") % {"level": org.level}]
    if org.valid_from and org.valid_to and org.valid_to < org.valid_from:
        errors["valid_to"] = [_("The end of validity is before its start.")]
    parent = org.parent
    if parent is not None and org.level in Level.values:
        if org.pk and (parent.pk == org.pk or f"/{org.pk}/" in parent.path):
            errors["parent"] = [_("An organisation cannot be placed under itself.")]
        elif parent.level not in ALLOWED_PARENT_LEVELS[Level(org.level)]:
            errors["parent"] = [
                _("A %(level)s unit cannot be placed under a %(parent)s unit.")
                % {"level": Level(org.level).label, "parent": Level(parent.level).label}
            ]
    elif org.level in Level.values and None not in ALLOWED_PARENT_LEVELS[Level(org.level)]:
        errors["parent"] = [_("This level needs a parent organisation.")]
    if "code" not in errors:
        if same_code is None:
            same_code = list(
                Organisation.objects.filter(code=org.code)
                .exclude(pk=org.pk)
                .only("valid_from", "valid_to", "name")
            )
        for other in same_code:
            if _overlap(org.valid_from, org.valid_to, other.valid_from, other.valid_to):
                errors.setdefault("valid_from", []).append(
                    _("Code %(code)s is already used by “%(name)s” in an overlapping period.")
                    % {"code": org.code, "name": other.name}
                )
    if errors:
        raise ValidationError(errors)


@dataclass
class OrganisationData:
    code: str
    name: str
    level: str
    parent: Organisation | None = None
    name_en: str = ""
    abbreviation: str = ""
    unit_type: str = ""
    unit_code: str = ""
    code_source: str = "official"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor: Organisation | None = None
    website: str = ""


def _set_path(org: Organisation) -> None:
    prefix = org.parent.path if org.parent_id else "/"
    org.path = f"{prefix}{org.pk}/"


@transaction.atomic
def create_organisation(data: OrganisationData, *, actor=None) -> Organisation:
    org = Organisation(**data.__dict__)
    org.name = org.name.strip()
    org.search_name = fold(org.name)
    check(org)
    org.path = "/"
    org.save()
    _set_path(org)
    org.save(update_fields=["path"])
    audit.record(
        actor=actor,
        action="organisation.create",
        obj=org,
        organisation=org,
        summary={"code": org.code, "level": org.level, "parent_id": org.parent_id},
    )
    return org


EDITABLE = {
    "name",
    "name_en",
    "abbreviation",
    "unit_type",
    "unit_code",
    "code",
    "code_source",
    "level",
    "parent",
    "valid_from",
    "valid_to",
    "successor",
    "office_hours",
    "website",
}


@transaction.atomic
def update_organisation(org: Organisation, *, actor=None, **changes) -> Organisation:
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    before = {
        name: getattr(org, name + "_id" if name in {"parent", "successor"} else name)
        for name in changes
    }
    for name, value in changes.items():
        setattr(org, name, value)
    org.search_name = fold(org.name)
    check(org)
    old_path = org.path
    _set_path(org)
    org.save()
    if org.path != old_path:
        # Moving a node moves its subtree: rewrite the descendants' paths in one pass.
        for child in Organisation.objects.filter(path__startswith=old_path).exclude(pk=org.pk):
            child.path = org.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    changed = {
        name: [
            str(before[name]),
            str(getattr(org, name + "_id" if name in {"parent", "successor"} else name)),
        ]
        for name in changes
        if name not in {"office_hours"}
    }
    audit.record(
        actor=actor, action="organisation.update", obj=org, organisation=org, summary=changed
    )
    return org


def valid_on(day: dt.date):
    """Q for organisations valid on ``day``."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def resolve(code: str, on: dt.date | None = None) -> Organisation | None:
    """The organisation that bore ``code`` on a day (today by default), merged units included."""
    qs = Organisation.objects.filter(code=code)
    if on is not None:
        qs = qs.filter(valid_on(on))
    return qs.order_by(F("valid_from").desc(nulls_last=True)).first()


@dataclass
class ImportRow:
    """One unit to import; parent and successor are given by (code, valid_from) keys."""

    data: OrganisationData
    parent_key: tuple[str, dt.date | None] | None = None
    successor_key: tuple[str, dt.date | None] | None = None


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "unchanged": self.unchanged}


@transaction.atomic
def import_organisations(rows: list[ImportRow], *, actor=None, source: str) -> ImportReport:
    """Create the units that do not exist yet, parents before children, in one transaction.

    Idempotent: a unit is identified by (code, valid_from); a second run creates nothing. Rows
    are validated with the same rules as ``create_organisation``; the first invalid row aborts
    the whole import. One audit row records the import (with its counts), not 3,000 rows.
    """
    report = ImportReport()
    existing: dict[tuple, Organisation] = {}
    by_code: dict[str, list[Organisation]] = {}
    for o in Organisation.objects.only(
        "id", "code", "name", "valid_from", "valid_to", "path", "level"
    ):
        existing[(o.code, o.valid_from)] = o
        by_code.setdefault(o.code, []).append(o)
    pending = list(rows)
    while pending:
        batch, later = [], []
        for row in pending:
            key = (row.data.code, row.data.valid_from)
            if key in existing:
                report.unchanged += 1
                continue
            if row.parent_key is not None and row.parent_key not in existing:
                later.append(row)
                continue
            batch.append(row)
        if not batch:
            if later:
                missing = later[0].parent_key
                raise ValidationError(
                    {"parent": [_("Unknown parent organisation %(code)s.") % {"code": missing[0]}]}
                )
            break
        objs = []
        for row in batch:
            org = Organisation(**row.data.__dict__)
            org.parent = existing[row.parent_key] if row.parent_key else None
            org.search_name = fold(org.name)
            org.path = "/"
            check(org, same_code=by_code.get(org.code, []))
            by_code.setdefault(org.code, []).append(org)
            objs.append(org)
        Organisation.objects.bulk_create(objs, batch_size=500)
        for org in objs:
            _set_path(org)
            existing[(org.code, org.valid_from)] = org
        Organisation.objects.bulk_update(objs, ["path"], batch_size=500)
        report.created += len(objs)
        pending = later
    with_successor = [r for r in rows if r.successor_key]
    for row in with_successor:
        org = existing[(row.data.code, row.data.valid_from)]
        successor = existing.get(row.successor_key)
        if successor is None:
            raise ValidationError(
                {
                    "successor": [
                        _("Unknown organisation %(code)s.") % {"code": row.successor_key[0]}
                    ]
                }
            )
        if org.successor_id != successor.pk:
            Organisation.objects.filter(pk=org.pk).update(successor=successor)
    if report.created:
        audit.record(
            actor=actor,
            action="organisation.import",
            object_type="core.organisation",
            summary={"source": source, **report.as_dict()},
        )
    return report
