"""Import catalogue files: idempotent, record by record, every rejection with its position.

- A record whose content equals the version in force is unchanged.
- A changed record gets a new published version that supersedes the one in force (from the
  import's effective date, or the day after the old version starts if that is later).
- Information-only records (the national index: names, sectors, agencies) are written in bulk;
  a procedure whose details are loaded is not downgraded by an index record.
- Detailed records go one by one through the same publishing rules as the admin and the API.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.catalog import search
from egov.catalog.models import (
    ImplementingAgency,
    Procedure,
    ProcedureVersion,
    Sector,
    VersionStatus,
)
from egov.catalog.services import content as content_mod
from egov.catalog.services import formats, versions
from egov.core.services import audit
from egov.core.text import fold

CHUNK = 500


@dataclass
class Rejection:
    position: str
    code: str
    reason: str

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"{self.position}{code}: {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


def _reason(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def import_file(
    path: Path | str,
    fmt: str | None = None,
    *,
    effective_from: dt.date | None = None,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    path = Path(path)
    started = time.monotonic()
    records = list(formats.read(path, fmt))
    report = import_records(
        records, effective_from=effective_from, actor=actor, progress=progress, source=path.name
    )
    report.seconds = time.monotonic() - started
    return report


def import_records(
    records: list[tuple[str, dict | ValidationError]],
    *,
    effective_from: dt.date | None = None,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
) -> ImportReport:
    effective_from = effective_from or timezone.localdate()
    report = ImportReport()
    resolver = content_mod.AgencyResolver()
    total = len(records)
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    cleaned: list[tuple[str, dict]] = []
    seen: dict[str, str] = {}
    for position, raw in records:
        if isinstance(raw, ValidationError):
            report.rejected.append(Rejection(position, "", _reason(raw)))
            tick()
            continue
        try:
            content = content_mod.clean(raw, agencies=resolver)
        except ValidationError as exc:
            report.rejected.append(Rejection(position, str(raw.get("code") or ""), _reason(exc)))
            tick()
            continue
        if content["code"] in seen:
            report.rejected.append(
                Rejection(
                    position,
                    content["code"],
                    _("The code appears twice in the file (first at %(position)s).")
                    % {"position": seen[content["code"]]},
                )
            )
            tick()
            continue
        seen[content["code"]] = position
        cleaned.append((position, content))

    with transaction.atomic():
        existing = _existing([c["code"] for _p, c in cleaned])
        info = [(p, c) for p, c in cleaned if not c["detailed"]]
        detailed = [(p, c) for p, c in cleaned if c["detailed"]]
        created_codes: list[str] = []
        updated_codes: list[str] = []
        for start in range(0, len(info), CHUNK):
            chunk = info[start : start + CHUNK]
            _import_info(
                chunk, existing, effective_from, resolver, report, created_codes, updated_codes
            )
            tick(len(chunk))
        for position, content in detailed:
            try:
                with transaction.atomic():
                    outcome = _import_detailed(
                        content, existing.get(content["code"]), effective_from, actor
                    )
            except ValidationError as exc:
                report.rejected.append(Rejection(position, content["code"], _reason(exc)))
            else:
                if outcome == "created":
                    report.created += 1
                    created_codes.append(content["code"])
                elif outcome == "updated":
                    report.updated += 1
                    updated_codes.append(content["code"])
                else:
                    report.unchanged += 1
            tick()
        # Only state changes are audited: a re-run that rejects the same bad rows writes nothing.
        if created_codes or updated_codes:
            audit.record(
                actor=actor,
                action="procedure.import",
                object_type="catalog.procedure",
                summary={
                    "source": source,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    "created_codes": created_codes,
                    "updated_codes": updated_codes,
                },
            )
    return report


def _existing(codes: list[str]) -> dict[str, Procedure]:
    found: dict[str, Procedure] = {}
    for start in range(0, len(codes), CHUNK):
        for procedure in Procedure.objects.filter(
            code__in=codes[start : start + CHUNK]
        ).select_related("current_version"):
            found[procedure.code] = procedure
    return found


def _next_start(current: ProcedureVersion | None, effective_from: dt.date) -> dt.date:
    if current is None or current.effective_from < effective_from:
        return effective_from
    return current.effective_from + dt.timedelta(days=1)


def _import_detailed(content: dict, procedure: Procedure | None, effective_from, actor) -> str:
    if procedure is not None:
        current = procedure.current_version
        if current is not None and current.content_hash == content_mod.content_hash(content):
            return "unchanged"
        if procedure.versions.filter(status=VersionStatus.DRAFT).exists():
            raise ValidationError(
                _("A draft version is being edited: publish or discard it before importing.")
            )
        number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ProcedureVersion(procedure=procedure, number=number)
        content_mod.write_version(version, content, content_mod.AgencyResolver())
        versions.publish(version, effective_from=_next_start(current, effective_from), actor=actor)
        return "updated"
    version = versions.create_procedure(content, actor=actor)
    versions.publish(version, effective_from=effective_from, actor=actor)
    return "created"


def _sectors(names: set[str]) -> dict[str, Sector]:
    known = {s.name: s for s in Sector.objects.filter(name__in=list(names))}
    codes = set(Sector.objects.values_list("code", flat=True))
    new = []
    for name in sorted(names - set(known)):
        base = content_mod._sector_code(name) or "sector"
        code, n = base, 1
        while code in codes:
            n += 1
            code = f"{base[:60]}-{n}"
        codes.add(code)
        new.append(Sector(name=name, code=code, search_name=fold(name)))
    for sector in Sector.objects.bulk_create(new):
        known[sector.name] = sector
    return known


def _import_info(chunk, existing, effective_from, resolver, report, created_codes, updated_codes):
    todo: list[tuple[dict, Procedure | None]] = []
    for _position, content in chunk:
        procedure = existing.get(content["code"])
        current = procedure.current_version if procedure else None
        # Details win over an index line; an information-only record only replaces one from
        # the same kind of file (else the index and procedures.json would undo each other).
        if current is not None and (
            current.detailed
            or current.content_hash == content_mod.content_hash(content)
            or (current.source or {}).get("format") != content["source"].get("format")
        ):
            report.unchanged += 1
            continue
        todo.append((content, procedure))
    if not todo:
        return
    sectors = _sectors({s for content, _p in todo for s in content["sectors"]})
    numbers = dict(
        ProcedureVersion.objects.filter(procedure__in=[p for _c, p in todo if p is not None])
        .values("procedure_id")
        .annotate(n=Max("number"))
        .values_list("procedure_id", "n")
    )
    new_procedures = [
        Procedure(code=content["code"], **_summary(content)) for content, p in todo if p is None
    ]
    Procedure.objects.bulk_create(new_procedures)
    by_code = {p.code: p for p in new_procedures}
    now = timezone.now()
    new_versions, superseded, changed = [], [], []
    for content, procedure in todo:
        if procedure is None:
            procedure = by_code[content["code"]]
            number, start = 1, effective_from
            created_codes.append(content["code"])
            report.created += 1
        else:
            current = procedure.current_version
            number = numbers.get(procedure.pk, 0) + 1
            start = _next_start(current, effective_from)
            if current is not None:
                current.status = VersionStatus.SUPERSEDED
                current.effective_to = start - dt.timedelta(days=1)
                superseded.append(current)
            changed.append((procedure, content))
            updated_codes.append(content["code"])
            report.updated += 1
        publisher = content["publishing_agency"]
        org = resolver.by_name(publisher["name"]) if publisher["name"] else None
        new_versions.append(
            ProcedureVersion(
                procedure=procedure,
                number=number,
                status=VersionStatus.PUBLISHED,
                effective_from=start,
                published_at=now,
                name=content["name"],
                publishing_agency=org,
                publishing_agency_name=publisher["name"],
                levels=content["levels"],
                applicant_types=content["applicant_types"],
                online_level=content["online_level"],
                published_by_decision=content["published_by_decision"],
                steps=content["steps"],
                requirements=content["requirements"],
                results=content["results"],
                legal_basis=content["legal_basis"],
                application_form=content["application_form"],
                notes=content["notes"],
                detailed=False,
                source={**content["source"], "publisher_by_code": False},
                content_hash=content_mod.content_hash(content),
            )
        )
    for version in superseded:
        # Few (changed records only): plain updates, not a CASE over the whole chunk.
        ProcedureVersion.objects.filter(pk=version.pk).update(
            status=version.status, effective_to=version.effective_to
        )
    ProcedureVersion.objects.bulk_create(new_versions)
    agencies, version_sectors, procedure_sectors, procedure_agencies = [], [], [], []
    for (content, _p), version in zip(todo, new_versions, strict=True):
        procedure = version.procedure
        for i, agency in enumerate(content["implementing_agencies"]):
            agencies.append(
                ImplementingAgency(
                    version=version, name=agency["name"], level=agency["level"], order=i
                )
            )
        for name in content["sectors"]:
            version_sectors.append(
                ProcedureVersion.sectors.through(procedureversion=version, sector=sectors[name])
            )
            procedure_sectors.append(
                Procedure.sectors.through(procedure=procedure, sector=sectors[name])
            )
        if version.publishing_agency_id:
            procedure_agencies.append(
                Procedure.agencies.through(
                    procedure=procedure, organisation_id=version.publishing_agency_id
                )
            )
    ImplementingAgency.objects.bulk_create(agencies)
    ProcedureVersion.sectors.through.objects.bulk_create(version_sectors)
    changed_ids = [p.pk for p, _c in changed]
    Procedure.sectors.through.objects.filter(procedure_id__in=changed_ids).delete()
    Procedure.agencies.through.objects.filter(procedure_id__in=changed_ids).delete()
    Procedure.sectors.through.objects.bulk_create(procedure_sectors, ignore_conflicts=True)
    Procedure.agencies.through.objects.bulk_create(procedure_agencies, ignore_conflicts=True)
    for procedure, content in changed:
        Procedure.objects.filter(pk=procedure.pk).update(updated_at=now, **_summary(content))
    # Point every procedure of the chunk at its new version in one statement.
    Procedure.objects.filter(pk__in=[v.procedure_id for v in new_versions]).update(
        current_version=Subquery(
            ProcedureVersion.objects.filter(procedure=OuterRef("pk"), status="published")
            .order_by("-effective_from")
            .values("pk")[:1]
        )
    )
    search.index_procedures([v.procedure_id for v in new_versions])


def _summary(content: dict) -> dict:
    """The procedure row's copy of an information-only version's searchable fields."""
    names = [content["publishing_agency"]["name"]] + [
        a["name"] for a in content["implementing_agencies"]
    ]
    names = [n for n in dict.fromkeys(names) if n]
    return {
        "name": content["name"],
        "status": content["status"],
        "scope": content["scope"],
        "online_level": content["online_level"],
        "levels": " ".join(content["levels"]),
        "detailed": False,
        "agency_names": "; ".join(names),
        "search_text": content_mod.search_text(
            content["code"], content["name"], content["sectors"], names
        ),
    }


def export_contents(codes: list[str] | None = None, *, detailed_only: bool = False) -> list[dict]:
    """Canonical content of the version in force of every procedure (or of ``codes``)."""
    qs = Procedure.objects.filter(current_version__isnull=False).order_by("code")
    if codes:
        qs = qs.filter(code__in=codes)
    if detailed_only:
        qs = qs.filter(detailed=True)
    versions_qs = (
        ProcedureVersion.objects.filter(pk__in=qs.values("current_version"))
        .select_related("procedure", "publishing_agency")
        .prefetch_related(
            "sectors",
            "implementing_agencies__organisation",
            "channels__fees",
            "required_documents__form_templates",
        )
        .order_by("procedure__code")
    )
    return [content_mod.read_version(v) for v in versions_qs]
