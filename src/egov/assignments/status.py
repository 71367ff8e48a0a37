"""A task's category, computed from (deadline, completed_on, today), never stored.

- done on time: accepted on or before the day it fell due;
- done late: accepted after it;
- within deadline: not accepted, today on or before the day it falls due;
- overdue: not accepted, today after it;
- ongoing: no deadline (thường xuyên), whether or not anything was reported.

The day a deadline falls due is the deadline itself on a working day, else the next working day
(the calendar decides: a deadline on a Saturday, a Sunday or a holiday ends at the close of the
next working day). Withdrawn tasks have no category: they leave every count.

:func:`category` is the one-task rule; :func:`category_case` is the same rule in SQL over the
stored ``due_on`` (or ``original_due_on``: statistics can be read against the original deadline
too), for the reports. Tests check that the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import pgettext_lazy

from egov.core.calendar import WorkingCalendar


class Category(models.TextChoices):
    ON_TIME = "on_time", pgettext_lazy("assignment category", "Done on time")
    LATE = "late", pgettext_lazy("assignment category", "Done late")
    WITHIN = "within", pgettext_lazy("assignment category", "Not done, within deadline")
    OVERDUE = "overdue", pgettext_lazy("assignment category", "Not done, overdue")
    ONGOING = "ongoing", pgettext_lazy("assignment category", "Ongoing")


CATEGORIES = tuple(Category)

# Which deadline statistics read: the current one (after extensions) or the original.
CURRENT = "current"
ORIGINAL = "original"
BASES = (CURRENT, ORIGINAL)


def due_day(deadline: date | None, is_working_day: Callable[[date], bool]) -> date | None:
    """The working day a deadline falls due on: itself, or the next working day."""
    if deadline is None:
        return None
    day = deadline
    for _ in range(60):  # the longest run of days off (Tết and a weekend) is about 9
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    return day


def due_day_for(deadline: date | None, organisation) -> date | None:
    """:func:`due_day` on the lead organisation's working calendar."""
    if deadline is None:
        return None
    return due_day(deadline, WorkingCalendar.for_organisation(organisation).is_working_day)


def category(
    due_on: date | None, completed_on: date | None, today: date, *, withdrawn: bool = False
) -> Category | None:
    """The category of one task; None for a withdrawn one. ``due_on`` is the working day it
    falls due on (:func:`due_day`), None for an ongoing task."""
    if withdrawn:
        return None
    if due_on is None:
        return Category.ONGOING
    if completed_on is not None:
        return Category.ON_TIME if completed_on <= due_on else Category.LATE
    return Category.WITHIN if today <= due_on else Category.OVERDUE


def of(assignment, today: date, basis: str = CURRENT) -> Category | None:
    due = assignment.original_due_on if basis == ORIGINAL else assignment.due_on
    return category(
        due, assignment.completed_on, today, withdrawn=assignment.withdrawn_at is not None
    )


def counted_q() -> Q:
    """Tasks that count: every one not withdrawn."""
    return Q(withdrawn_at__isnull=True)


def category_q(cat: str, today: date, basis: str = CURRENT) -> Q:
    """The tasks of one category, as a filter (withdrawn ones excluded)."""
    due = "original_due_on" if basis == ORIGINAL else "due_on"
    base = counted_q()
    if cat == Category.ONGOING:
        return base & Q(**{f"{due}__isnull": True})
    dated = base & Q(**{f"{due}__isnull": False})
    done = Q(completed_on__isnull=False)
    if cat == Category.ON_TIME:
        return dated & done & Q(completed_on__lte=models.F(due))
    if cat == Category.LATE:
        return dated & done & Q(completed_on__gt=models.F(due))
    if cat == Category.WITHIN:
        return dated & ~done & Q(**{f"{due}__gte": today})
    if cat == Category.OVERDUE:
        return dated & ~done & Q(**{f"{due}__lt": today})
    raise ValueError(cat)


def category_case(today: date, basis: str = CURRENT) -> Case:
    """The category as an annotation (None for a withdrawn task)."""
    return Case(
        *(When(category_q(c, today, basis), then=Value(c.value)) for c in CATEGORIES),
        default=Value(None),
        output_field=models.CharField(),
    )


__all__ = [
    "BASES",
    "CATEGORIES",
    "CURRENT",
    "ORIGINAL",
    "Category",
    "category",
    "category_case",
    "category_q",
    "due_day",
    "due_day_for",
    "of",
]
