"""Deadlines: due time at reception, per-step due times, pauses, at risk, apology, timeliness.

All working-time arithmetic asks :mod:`egov.core.calendar` with the agency's calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.calendar import TIMEZONE, WorkingCalendar
from egov.dossiers.acts import ACTS
from egov.dossiers.errors import DossierError, IllegalTransition
from egov.dossiers.models import (
    OPEN_STATUSES,
    Apology,
    Dossier,
    Status,
    SupplementRequest,
    Timeliness,
    WorkflowStep,
    steps_for,
)

from . import _common
from .notifications import queue_email

AT_RISK_SHARE = Decimal("0.8")
FINISHED = (Status.PROCESSED, Status.RESULT_RETURNED)


def calendar_of(organisation) -> WorkingCalendar:
    return WorkingCalendar.for_organisation(organisation)


class PerBatch:
    """What the dossiers of one batch share, read once: each agency's calendar, the steps of
    each (procedure version, agency)."""

    def __init__(self):
        self.calendars, self.steps = {}, {}

    def calendar(self, dossier):
        key = dossier.organisation_id
        if key not in self.calendars:
            self.calendars[key] = calendar_of(dossier.organisation)
        return self.calendars[key]

    def steps_of(self, dossier):
        key = (dossier.procedure_version_id, dossier.organisation_id)
        if key not in self.steps:
            self.steps[key] = steps_for(dossier)
        return self.steps[key]


def _scaled(duration: timedelta, share) -> timedelta:
    micros = Decimal(duration // timedelta(microseconds=1)) * Decimal(share)
    return timedelta(microseconds=int(micros))


def fix_due(dossier: Dossier, received_at: datetime, cal: WorkingCalendar | None = None) -> None:
    """Set received_at, due_at (channel's time limit), original_due_at and at_risk_at."""
    dossier.received_at = received_at
    channel = dossier.channel
    if channel.time_limit is None or not channel.time_unit:
        dossier.due_at = dossier.original_due_at = dossier.at_risk_at = None
        return
    cal = cal or calendar_of(dossier.organisation)
    dossier.due_at = cal.due(received_at, channel.time_limit, channel.time_unit)
    dossier.original_due_at = dossier.due_at
    total = cal.between(received_at, dossier.due_at)
    dossier.at_risk_at = cal.add(received_at, _scaled(total, AT_RISK_SHARE))


def step_due(dossier: Dossier, step: WorkflowStep | None, steps=None, cal=None):
    """Due time of ``step``: the cumulative share of the working time from reception, plus the
    time the clock stood still; never after the dossier's due time."""
    if step is None or dossier.received_at is None or dossier.original_due_at is None:
        return dossier.due_at
    steps = steps if steps is not None else steps_for(dossier)
    cumulative = sum((s.share for s in steps if s.order <= step.order), Decimal("0"))
    if cumulative <= 0:
        return dossier.due_at
    cal = cal or calendar_of(dossier.organisation)
    total = cal.between(dossier.received_at, dossier.original_due_at)
    due = cal.add(dossier.received_at, _scaled(total, min(cumulative, 1)) + dossier.paused_total)
    return min(due, dossier.due_at) if dossier.due_at else due


def pause(dossier: Dossier, at: datetime) -> None:
    dossier.paused_at = at


def resume(dossier: Dossier, at: datetime, cal=None) -> timedelta:
    """End a pause: the working time paused moves due_at, at_risk_at and the step's due time."""
    if dossier.paused_at is None:
        return timedelta(0)
    if dossier.due_at is None:
        dossier.paused_at = None
        return timedelta(0)
    cal = cal or calendar_of(dossier.organisation)
    paused = cal.between(dossier.paused_at, at)
    dossier.paused_total += paused
    dossier.due_at = cal.add(dossier.due_at, paused)
    if dossier.at_risk_at:
        dossier.at_risk_at = cal.add(dossier.at_risk_at, paused)
    if dossier.step_due_at:
        dossier.step_due_at = cal.add(dossier.step_due_at, paused)
    dossier.paused_at = None
    return paused


def is_at_risk(dossier: Dossier, now=None) -> bool:
    """Open, clock running, and 80% or more of its working time used (``now >= at_risk_at``)."""
    now = now or timezone.now()
    return (
        dossier.status in OPEN_STATUSES
        and dossier.paused_at is None
        and dossier.at_risk_at is not None
        and now >= dossier.at_risk_at
    )


def classify_finished(processed_at: datetime, due_at: datetime | None) -> str:
    if due_at is None or processed_at <= due_at:
        early = due_at is not None and (
            processed_at.astimezone(TIMEZONE).date() < due_at.astimezone(TIMEZONE).date()
        )
        return Timeliness.EARLY if early else Timeliness.ON_TIME
    return Timeliness.LATE


# Decision 766's rule for "resolved on time": a dossier asked for supplements more than once is
# not counted on time, whatever its timeliness (the service index's 2.1 and reporting's
# svc_on_time_rate read the one definition below).
MAX_SUPPLEMENTS = 1


def finished_in(start: datetime, end: datetime) -> Q:
    """Finished (processed) in [start, end): the denominator of an on-time share."""
    return Q(processed_at__gte=start, processed_at__lt=end)


def finished_between(start: datetime, end: datetime) -> QuerySet:
    return Dossier.objects.filter(finished_in(start, end))


def finished_on_time(max_supplements: int = MAX_SUPPLEMENTS) -> Q:
    """Finished early or on time (the due time already moved by the paused supplement time),
    with at most ``max_supplements`` supplement requests: a condition within
    ``finished_between``, an expression rather than an annotation so that a caller can count it
    beside other conditions in one query."""
    supplements = (
        SupplementRequest.objects.filter(dossier=OuterRef("pk"))
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    count = Coalesce(Subquery(supplements, output_field=IntegerField()), 0)
    return Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME]) & Q(
        LessThanOrEqual(count, int(max_supplements))
    )


def timeliness(dossier: Dossier, now=None) -> str:
    """early / on_time / late when finished; within_time / overdue while open ("" otherwise)."""
    if dossier.status in FINISHED:
        return dossier.timeliness or classify_finished(dossier.processed_at, dossier.due_at)
    if dossier.status in OPEN_STATUSES:
        now = dossier.paused_at or now or timezone.now()
        overdue = dossier.due_at is not None and now > dossier.due_at
        return Timeliness.OVERDUE if overdue else Timeliness.WITHIN_TIME
    return ""


def timeliness_counts(queryset, *, start=None, end=None, now=None) -> list[dict]:
    """Per organisation, dossiers received in [start, end) by timeliness, in one query.

    Rows: {"organisation", "code", "early", "on_time", "late", "within_time", "overdue",
    "total"}. A paused open dossier counts by the time its clock stopped.
    """
    now = now or timezone.now()
    if start is not None:
        queryset = queryset.filter(received_at__gte=start)
    if end is not None:
        queryset = queryset.filter(received_at__lt=end)
    queryset = queryset.filter(received_at__isnull=False)
    finished = Q(status__in=FINISHED)
    open_ = Q(status__in=OPEN_STATUSES)
    late_open = Q(paused_at__isnull=True, due_at__lt=now) | Q(
        paused_at__isnull=False, due_at__lt=F("paused_at")
    )
    rows = (
        queryset.order_by()
        .values("organisation_id", "organisation__code")
        .annotate(
            early=Count("pk", filter=finished & Q(timeliness=Timeliness.EARLY)),
            on_time=Count("pk", filter=finished & Q(timeliness=Timeliness.ON_TIME)),
            late=Count("pk", filter=finished & Q(timeliness=Timeliness.LATE)),
            overdue=Count("pk", filter=open_ & late_open),
            open=Count("pk", filter=open_),
            total=Count("pk"),
        )
        .order_by("organisation__code")
    )
    return [
        {
            "organisation": r["organisation_id"],
            "code": r["organisation__code"],
            "early": r["early"],
            "on_time": r["on_time"],
            "late": r["late"],
            "within_time": r["open"] - r["overdue"],
            "overdue": r["overdue"],
            "total": r["total"],
        }
        for r in rows
    ]


def issue_apology(dossier: Dossier, *, actor, reason: str, new_due_at) -> Apology:
    """Form 04's data: once, while open and before ``due_at`` passes; ``new_due_at`` later than
    ``due_at``; moves ``due_at``. Scope ``dossiers.process`` (or ``dossiers.receive``)."""
    reason = (reason or "").strip()
    if not reason:
        raise DossierError({"reason": [_("Give the reason for the delay.")]})
    with transaction.atomic():
        dossier = _common.lock(dossier)
        decision = _common.authorise(actor, dossier, "issue_apology")
        if dossier.status not in ACTS["issue_apology"].sources:
            raise IllegalTransition(
                _("Only a dossier being handled can get an apology."), code="illegal_transition"
            )
        if Apology.objects.filter(dossier=dossier).exists():
            raise DossierError(
                _("This dossier already has an apology; it can be given only once."),
                code="apology_exists",
            )
        now = timezone.now()
        if dossier.due_at is None or now >= dossier.due_at:
            raise DossierError(
                _("The apology must be issued before the due time passes."),
                code="apology_too_late",
            )
        if new_due_at is None or new_due_at <= dossier.due_at:
            raise DossierError(
                {"new_due_at": [_("The new date must be later than the current due time.")]}
            )
        user = _common.user_of(actor)
        official = _common.official_of(user)
        apology = Apology.objects.create(
            dossier=dossier,
            reason=reason,
            previous_due_at=dossier.due_at,
            new_due_at=new_due_at,
            issued_at=now,
            issued_by=user,
            signer_name=(user.get_full_name() or user.get_username()) if user else "",
            signer_title=official.title if official else "",
        )
        dossier.due_at = new_due_at
        dossier.save(update_fields=["due_at", "updated_at"])
        _common.record(
            dossier,
            actor=actor,
            act="apology",
            from_status=dossier.status,
            note=reason,
            decision=decision,
            summary={"new_due_at": new_due_at.isoformat()},
        )
        queue_email(dossier, "apology", key=f"apology:{apology.pk}", note=reason)
    return apology
