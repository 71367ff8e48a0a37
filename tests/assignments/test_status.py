"""The four categories and ongoing, from (deadline, completed_on, today), on the working
calendar: every combination, deadlines on weekends and holidays included."""

from __future__ import annotations

from datetime import date

import pytest

from egov.assignments.models import Assignment
from egov.assignments.status import CATEGORIES, Category, category, category_case, due_day
from egov.core.calendar import WorkingCalendar

C = Category
pytestmark = pytest.mark.django_db


@pytest.fixture
def cal():
    return WorkingCalendar.for_organisation(None)


# 2026: Hùng Kings' day is Sunday 26/4, observed Monday 27/4; 30/4 and 1/5 (Thursday, Friday)
# are holidays; Tết is 16–20/2; Saturday 22/8 is a working day (swapped for Monday 31/8).
DUE_DAYS = [
    (date(2026, 4, 24), date(2026, 4, 24)),  # a working Friday: itself
    (date(2026, 4, 25), date(2026, 4, 28)),  # Saturday, Sunday, Monday off: Tuesday
    (date(2026, 4, 30), date(2026, 5, 4)),  # Reunification Day, Labour Day, a weekend
    (date(2026, 2, 17), date(2026, 2, 23)),  # Tết
    (date(2026, 8, 22), date(2026, 8, 22)),  # a Saturday the Government made a working day
    (date(2026, 8, 31), date(2026, 9, 3)),  # the day off given for it, then National Day
]


@pytest.mark.parametrize(("deadline", "expected"), DUE_DAYS)
def test_due_day_is_the_deadline_or_the_next_working_day(cal, deadline, expected):
    assert due_day(deadline, cal.is_working_day) == expected


def test_no_deadline_no_due_day(cal):
    assert due_day(None, cal.is_working_day) is None


D = date(2026, 4, 25)  # a Saturday deadline
DUE = date(2026, 4, 28)


# (deadline, completed_on, today, expected)
TABLE = [
    # no deadline: ongoing, whatever happened
    (None, None, date(2026, 1, 1), C.ONGOING),
    (None, date(2026, 1, 1), date(2026, 2, 1), C.ONGOING),
    # a working-day deadline
    (date(2026, 4, 24), date(2026, 4, 23), date(2026, 5, 1), C.ON_TIME),
    (date(2026, 4, 24), date(2026, 4, 24), date(2026, 5, 1), C.ON_TIME),
    (date(2026, 4, 24), date(2026, 4, 28), date(2026, 5, 1), C.LATE),
    (date(2026, 4, 24), None, date(2026, 4, 23), C.WITHIN),
    (date(2026, 4, 24), None, date(2026, 4, 24), C.WITHIN),
    (date(2026, 4, 24), None, date(2026, 4, 25), C.OVERDUE),
    # a Saturday deadline: done on the next working day is on time, overdue only after it
    (D, DUE, DUE, C.ON_TIME),
    (D, date(2026, 4, 26), DUE, C.ON_TIME),
    (D, date(2026, 4, 27), date(2026, 4, 27), C.ON_TIME),
    (D, date.fromordinal(DUE.toordinal() + 1), DUE, C.LATE),
    (D, None, date(2026, 4, 26), C.WITHIN),
    (D, None, DUE, C.WITHIN),
    (D, None, date.fromordinal(DUE.toordinal() + 1), C.OVERDUE),
    # a holiday deadline (30/4): the same
    (date(2026, 4, 30), None, date(2026, 5, 1), C.WITHIN),
    (date(2026, 4, 30), date(2026, 5, 2), date(2026, 6, 1), C.ON_TIME),
]


@pytest.mark.parametrize(("deadline", "completed", "today", "expected"), TABLE)
def test_category(cal, deadline, completed, today, expected):
    due = due_day(deadline, cal.is_working_day)
    assert category(due, completed, today) == expected


@pytest.mark.parametrize(("deadline", "completed", "today", "expected"), TABLE)
def test_withdrawn_has_no_category(cal, deadline, completed, today, expected):
    due = due_day(deadline, cal.is_working_day)
    assert category(due, completed, today, withdrawn=True) is None


def test_every_category_is_in_the_table():
    assert {row[3] for row in TABLE} == set(CATEGORIES)


@pytest.mark.parametrize(("deadline", "completed", "today", "expected"), TABLE)
def test_the_sql_rule_agrees(world, deadline, completed, today, expected):
    from .conftest import make_task

    kind = "date" if deadline else "ongoing"
    task = make_task(world, deadline=deadline, deadline_kind=kind)
    Assignment.objects.filter(pk=task.pk).update(completed_on=completed)
    got = Assignment.objects.filter(pk=task.pk).annotate(cat=category_case(today)).get().cat
    assert got == expected
