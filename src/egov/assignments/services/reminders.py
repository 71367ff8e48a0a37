"""Which reminders are due today (``egov assignments-remind``, run it daily or hourly).

A task still being carried out (not awaiting acceptance, not done, not withdrawn) with a deadline
is flagged ``d5`` when 2 to 5 working days of the lead's calendar are left until the day it falls
due, ``d1`` when 1 or none is left, ``overdue`` after it. Only the current flag is sent: a task
first seen at 1 day left gets the 1-day reminder, not a late 5-day one. The outbox's key makes
each one once.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from egov.assignments.models import Assignment, Stage
from egov.assignments.services.notifications import key, queue_reminder
from egov.core.calendar import WorkingCalendar
from egov.core.models import OutboxMessage

# Five working days are never more than this many calendar days (Tết's week off included).
LOOKAHEAD_DAYS = 21


def working_days_left(today: date, due_on: date, is_working_day) -> int:
    """Working days after today up to and including the day it falls due."""
    count, day = 0, today
    while day < due_on:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def flag(assignment, today: date, is_working_day) -> str:
    if assignment.due_on is None:
        return ""
    if today > assignment.due_on:
        return "overdue"
    left = working_days_left(today, assignment.due_on, is_working_day)
    if left <= 1:
        return "d1"
    if left <= 5:
        return "d5"
    return ""


def remind(today: date | None = None, *, limit: int = 5000) -> int:
    """Queue the reminders due today; returns how many were queued now."""
    today = today or timezone.localdate()
    candidates = list(
        Assignment.objects.filter(
            stage=Stage.OPEN,
            withdrawn_at__isnull=True,
            due_on__isnull=False,
            due_on__lte=today + timedelta(days=LOOKAHEAD_DAYS),
        )
        .select_related("lead", "responsible__user")
        .order_by("due_on", "pk")[:limit]
    )
    calendars: dict[int, WorkingCalendar] = {}
    wanted = {}
    for task in candidates:
        cal = calendars.get(task.lead_id)
        if cal is None:
            cal = calendars[task.lead_id] = WorkingCalendar.for_organisation(task.lead)
        current = flag(task, today, cal.is_working_day)
        if current:
            wanted[key(task, current)] = (task, current)
    # Keys already in the outbox are skipped in one query, not one per task.
    sent = set(
        OutboxMessage.objects.filter(kind="assignments.reminder", key__in=list(wanted)).values_list(
            "key", flat=True
        )
    )
    count = 0
    with transaction.atomic():
        for k, (task, current) in wanted.items():
            if k not in sent and queue_reminder(task, current) is not None:
                count += 1
    return count
