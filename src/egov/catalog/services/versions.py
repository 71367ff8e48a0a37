"""Procedures and their versions: create, edit a draft, publish, supersede (one door each).

Rules:
- only a draft is edited; a published version never changes in place;
- publishing needs an effective date, and, for a detailed version, at least one channel and one
  required document; its validity may not overlap another published version of the procedure;
- publishing a version supersedes the one in force: that one's validity ends the day before.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.catalog import search
from egov.catalog.models import Procedure, ProcedureVersion, VersionStatus
from egov.catalog.services import content as content_mod
from egov.core.services import audit


def _refresh_procedure(procedure: Procedure, version: ProcedureVersion, content: dict) -> None:
    """Copy the searchable summary of ``version`` onto the procedure row."""
    procedure.name = content["name"]
    procedure.online_level = content["online_level"]
    procedure.levels = " ".join(content["levels"])
    procedure.detailed = content["detailed"]
    procedure.status = content["status"]
    procedure.scope = content["scope"]
    names = [content["publishing_agency"]["name"]] + [
        a["name"] for a in content["implementing_agencies"]
    ]
    names = [n for n in dict.fromkeys(names) if n]
    procedure.agency_names = "; ".join(names)
    procedure.search_text = content_mod.search_text(
        procedure.code, procedure.name, content["sectors"], names
    )
    procedure.save()
    procedure.sectors.set(version.sectors.all())
    orgs = {a.organisation_id for a in version.implementing_agencies.all() if a.organisation_id}
    if version.publishing_agency_id:
        orgs.add(version.publishing_agency_id)
    procedure.agencies.set(orgs)
    search.index_procedures([procedure.pk])


def _summary_of(version: ProcedureVersion) -> dict:
    return {
        "code": version.procedure.code,
        "number": version.number,
        "status": version.status,
        "effective_from": version.effective_from.isoformat() if version.effective_from else None,
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
    }


@transaction.atomic
def create_procedure(data: dict, *, actor=None) -> ProcedureVersion:
    """A new procedure with its first version as a draft."""
    content = content_mod.clean(data)
    if Procedure.objects.filter(code=content["code"]).exists():
        raise ValidationError(
            {"code": [_("A procedure with code %(code)s exists.") % {"code": content["code"]}]}
        )
    procedure = Procedure.objects.create(code=content["code"], name=content["name"])
    version = ProcedureVersion(procedure=procedure, number=1, status=VersionStatus.DRAFT)
    content_mod.write_version(version, content, content_mod.AgencyResolver())
    _refresh_procedure(procedure, version, content)
    audit.record(
        actor=actor, action="procedure.create", obj=procedure, summary=_summary_of(version)
    )
    return version


def _lock(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


@transaction.atomic
def update_draft(version: ProcedureVersion, data: dict, *, actor=None) -> ProcedureVersion:
    """Replace the content of a draft. Published versions are refused: start a new version."""
    procedure = _lock(version.procedure)
    version = ProcedureVersion.objects.get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)d is %(status)s: only a draft can be edited; start a new version.")
            % {"number": version.number, "status": version.get_status_display()}
        )
    content = content_mod.clean({**data, "code": procedure.code})
    content_mod.write_version(version, content, content_mod.AgencyResolver())
    if procedure.current_version_id is None:
        _refresh_procedure(procedure, version, content)
    audit.record(
        actor=actor, action="procedure.draft_update", obj=version, summary=_summary_of(version)
    )
    return version


@transaction.atomic
def new_draft(procedure: Procedure, *, actor=None) -> ProcedureVersion:
    """Start the version that will supersede the current one: a draft copy of it."""
    procedure = _lock(procedure)
    if procedure.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("This procedure already has a draft version."))
    source = procedure.current_version or procedure.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("This procedure has no version to copy."))
    content = content_mod.read_version(source)
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ProcedureVersion(procedure=procedure, number=number, status=VersionStatus.DRAFT)
    content["detailed"] = True
    content_mod.write_version(version, content, content_mod.AgencyResolver())
    audit.record(
        actor=actor, action="procedure.draft_create", obj=version, summary=_summary_of(version)
    )
    return version


def check_publishable(
    version: ProcedureVersion, effective_from: dt.date | None, effective_to: dt.date | None = None
) -> ProcedureVersion | None:
    """Raise ValidationError with every reason ``version`` may not be published.

    Returns the version in force that publishing would supersede (or None).
    """
    errors: list[str] = []
    if version.status != VersionStatus.DRAFT:
        errors.append(
            _("Version %(number)d is already %(status)s.")
            % {"number": version.number, "status": version.get_status_display()}
        )
    if effective_from is None:
        errors.append(_("An effective date is required to publish."))
    if effective_from and effective_to and effective_to < effective_from:
        errors.append(_("The end of validity is before its start."))
    if version.detailed:
        if not version.channels.exists():
            errors.append(_("The version has no channel (in person, online or post)."))
        if not version.required_documents.exists():
            errors.append(_("The version has no required documents."))
    in_force = None
    if effective_from is not None:
        others = version.procedure.versions.exclude(pk=version.pk).exclude(
            status=VersionStatus.DRAFT
        )
        in_force = others.filter(effective_to__isnull=True).first()
        for other in others:
            # The version in force is cut the day before ours, if it starts before ours.
            other_to = other.effective_to
            if other == in_force and other.effective_from < effective_from:
                other_to = effective_from - dt.timedelta(days=1)
            if other.effective_from <= (effective_to or dt.date.max) and (
                other_to is None or effective_from <= other_to
            ):
                errors.append(
                    _(
                        "The validity overlaps version %(number)d "
                        "(effective from %(start)s to %(end)s)."
                    )
                    % {
                        "number": other.number,
                        "start": other.effective_from.isoformat(),
                        "end": other.effective_to.isoformat() if other.effective_to else "…",
                    }
                )
        if in_force is not None and effective_to is not None:
            in_force = None if in_force.effective_from > effective_to else in_force
    if errors:
        raise ValidationError(errors)
    return in_force


@transaction.atomic
def publish(
    version: ProcedureVersion,
    *,
    effective_from: dt.date | None,
    effective_to: dt.date | None = None,
    actor=None,
) -> ProcedureVersion:
    """Publish a draft from ``effective_from``; the version in force ends the day before."""
    procedure = _lock(version.procedure)
    version = ProcedureVersion.objects.select_related("procedure").get(pk=version.pk)
    in_force = check_publishable(version, effective_from, effective_to)
    if in_force is not None:
        in_force.effective_to = effective_from - dt.timedelta(days=1)
        in_force.status = VersionStatus.SUPERSEDED
        in_force.save(update_fields=["effective_to", "status"])
        audit.record(
            actor=actor, action="procedure.supersede", obj=in_force, summary=_summary_of(in_force)
        )
    version.status = VersionStatus.PUBLISHED
    version.effective_from = effective_from
    version.effective_to = effective_to
    version.published_at = timezone.now()
    version.save(update_fields=["status", "effective_from", "effective_to", "published_at"])
    latest = (
        procedure.versions.filter(status=VersionStatus.PUBLISHED)
        .order_by("-effective_from")
        .first()
    )
    procedure.current_version = latest
    procedure.save(update_fields=["current_version"])
    if latest is not None and latest.pk == version.pk:
        _refresh_procedure(procedure, version, content_mod.read_version(version))
    audit.record(actor=actor, action="procedure.publish", obj=version, summary=_summary_of(version))
    return version


@transaction.atomic
def discard_draft(version: ProcedureVersion, *, actor=None) -> None:
    procedure = _lock(version.procedure)
    version = ProcedureVersion.objects.get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be discarded."))
    summary = _summary_of(version)
    if procedure.versions.count() == 1:
        raise ValidationError(_("The only version of a procedure cannot be discarded."))
    version_id = version.pk
    version.delete()
    audit.record(
        actor=actor,
        action="procedure.draft_discard",
        object_type="catalog.procedureversion",
        object_id=version_id,
        summary=summary,
    )
