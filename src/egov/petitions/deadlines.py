"""The petition's clocks on the working calendar (egov.core.calendar), in working days:

- refuse within 2 of reception; ask for a supplement within 5 of reception or the last transfer;
- answer within 15 of reception or the last transfer (a transfer restarts the clock; the wait
  for a supplement stops it, and the deadline moves by the working time waited);
- publish within 2 of the answer.

A clock is "at risk" from one working day before its deadline, "overdue" after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from egov.core.calendar import Unit, WorkingCalendar

REFUSE_DAYS = 2
SUPPLEMENT_DAYS = 5
ANSWER_DAYS = 15
PUBLISH_DAYS = 2
# At risk from this many working days before the deadline.
RISK_DAYS = 1


def calendar(organisation) -> WorkingCalendar:
    return WorkingCalendar.for_organisation(organisation)


def clock(start: datetime, days: int, organisation) -> tuple[datetime, datetime]:
    """(due, at risk from) ``days`` working days from ``start``."""
    cal = calendar(organisation)
    return cal.due(start, days, Unit.WORKING_DAYS), cal.due(
        start, days - RISK_DAYS, Unit.WORKING_DAYS
    )


def start_answer_clock(petition, at: datetime) -> None:
    """Reception or a transfer: the answer clock (and the supplement one) start again."""
    petition.clock_started_at = at
    petition.paused_total = timedelta(0)
    petition.paused_at = None
    petition.due_at, petition.at_risk_at = clock(at, ANSWER_DAYS, petition.organisation)
    cal = calendar(petition.organisation)
    petition.supplement_due_at = cal.due(at, SUPPLEMENT_DAYS, Unit.WORKING_DAYS)


def pause(petition, at: datetime) -> None:
    """The wait for a supplement stops the clock."""
    petition.paused_at = at


def resume(petition, at: datetime) -> None:
    """The supplement came: the deadline moves by the working time waited."""
    if petition.paused_at is None:
        return
    cal = calendar(petition.organisation)
    waited = cal.between(petition.paused_at, at)
    petition.paused_total += waited
    petition.paused_at = None
    if petition.due_at is not None:
        petition.due_at = cal.add(petition.due_at, waited)
        petition.at_risk_at = cal.add(petition.at_risk_at, waited)
    petition.supplement_due_at = cal.add(petition.supplement_due_at, waited)


def start_publish_clock(petition, at: datetime) -> None:
    petition.due_at, petition.at_risk_at = clock(at, PUBLISH_DAYS, petition.organisation)


def overdue_q(now: datetime | None = None) -> Q:
    """Open petitions (not paused, not ended) past their current deadline."""
    now = now or timezone.now()
    return Q(due_at__isnull=False, paused_at__isnull=True, due_at__lt=now)


def at_risk_q(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(due_at__isnull=False, paused_at__isnull=True, at_risk_at__lte=now, due_at__gte=now)


def flag(petition, now: datetime | None = None) -> str:
    """ "overdue", "at_risk" or "" for one petition (the queue's tag)."""
    now = now or timezone.now()
    if petition.due_at is None or petition.paused_at is not None:
        return ""
    if petition.due_at < now:
        return "overdue"
    if petition.at_risk_at is not None and petition.at_risk_at <= now:
        return "at_risk"
    return ""
