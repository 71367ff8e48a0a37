"""Administrators' overrides of the working calendar (one door for every writer)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.core.calendar import MAX_YEAR, MIN_YEAR, WorkingCalendar
from egov.core.models import CalendarOverride
from egov.core.services import audit

Kind = CalendarOverride.Kind


def _check(*, date, kind: str, reason: str, organisation) -> None:
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ValidationError({"date": [_("Give a date such as 2026-09-03.")]})
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise ValidationError(
            {
                "date": [
                    _("%(date)s is outside the working calendar, which covers %(first)s–%(last)s.")
                    % {"date": date.isoformat(), "first": MIN_YEAR, "last": MAX_YEAR}
                ]
            }
        )
    if kind not in Kind.values:
        raise ValidationError(
            {
                "kind": [
                    _("The kind must be “day_off” or “working_day”, not “%(kind)s”.")
                    % {"kind": kind}
                ]
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the change (e.g. a decision).")]})
    if CalendarOverride.objects.filter(organisation=organisation, date=date).exists():
        raise ValidationError(
            {
                "date": [
                    _("There is already an override on %(date)s for this calendar.")
                    % {"date": date.isoformat()}
                ]
            }
        )
    calendar = WorkingCalendar.for_organisation(organisation, years=(date.year, date.year))
    working = calendar.is_working_day(date)
    if kind == Kind.WORKING_DAY and working:
        raise ValidationError(
            {"kind": [_("%(date)s is already a working day.") % {"date": date.isoformat()}]}
        )
    if kind == Kind.DAY_OFF and not working:
        raise ValidationError(
            {"kind": [_("%(date)s is already a day off.") % {"date": date.isoformat()}]}
        )


@transaction.atomic
def add_override(*, date, kind: str, reason: str, organisation=None, actor=None):
    """Make ``date`` a day off or a working day, nationwide or for an organisation's subtree."""
    _check(date=date, kind=kind, reason=reason, organisation=organisation)
    override = CalendarOverride(
        organisation=organisation, date=date, kind=kind, reason=reason.strip()
    )
    try:
        with transaction.atomic():  # a concurrent writer may have added the same row
            override.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError(
            {
                "date": [
                    _("There is already an override on %(date)s for this calendar.")
                    % {"date": date.isoformat()}
                ]
            }
        ) from exc
    audit.record(
        actor=actor,
        action="calendar.override.add",
        obj=override,
        organisation=organisation,
        summary={
            "date": date.isoformat(),
            "kind": kind,
            "reason": override.reason,
            "organisation_id": getattr(organisation, "pk", None),
        },
    )
    return override


@transaction.atomic
def remove_override(override, actor=None) -> None:
    """Delete an override: the day follows the holidays and weekend rules again."""
    current = CalendarOverride.objects.select_for_update().filter(pk=override.pk).first()
    if current is None:
        raise ValidationError(_("This calendar override no longer exists."))
    pk = current.pk
    summary = {
        "date": current.date.isoformat(),
        "kind": current.kind,
        "reason": current.reason,
        "organisation_id": current.organisation_id,
    }
    current.delete()
    audit.record(
        actor=actor,
        action="calendar.override.remove",
        object_type=CalendarOverride._meta.label_lower,
        object_id=pk,
        organisation=summary["organisation_id"],
        summary=summary,
    )
