"""Reporting periods and their windows: Decree 09's cut-offs and the statistical calendar.

Decree 09/2019/NĐ-CP art. 12 fixes the data window of periodic administrative reports: a month
runs from the 15th of the previous month to the 14th of the reporting month; a quarter from the
15th of the month before it to the 14th of its last month; the first half from 15/12 of the
previous year to 14/6, the second half from 15/6 to 14/12, and the year from 15/12 of the
previous year to 14/12. The last day of the window is the cut-off (``cutoff``). Statistical
reports keep calendar periods (a month is the 1st to its last day), so both conventions exist.

Everything here is pure (dates in, dates out); the working calendar is passed in where deadlines
need it.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

# The day of the month Decree 09's windows end on; the next window starts the day after.
CUTOFF_DAY = 14


class Periodicity(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF = "half", _("Half-yearly")
    YEAR = "year", _("Yearly")


class Convention(models.TextChoices):
    DECREE_09 = "decree_09", _("Decree 09/2019 cut-offs (15th to 14th)")
    CALENDAR = "calendar", _("Calendar periods (statistics)")


# How many periods of each kind a year has.
PER_YEAR = {
    Periodicity.MONTH: 12,
    Periodicity.QUARTER: 4,
    Periodicity.HALF: 2,
    Periodicity.YEAR: 1,
}
MONTHS = {kind: 12 // count for kind, count in PER_YEAR.items()}


@dataclass(frozen=True, order=True)
class Period:
    """The ``number``-th period of its kind in ``year`` (month 1-12, quarter 1-4, half 1-2)."""

    year: int
    kind: str
    number: int = 1

    def __post_init__(self):
        if self.kind not in PER_YEAR:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.number <= PER_YEAR[self.kind]:
            raise ValueError(f"{self.kind} {self.number} does not exist")

    def window(self, convention: str = Convention.DECREE_09) -> tuple[date, date]:
        return window(self, convention)

    def next(self) -> Period:
        if self.number == PER_YEAR[self.kind]:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.number + 1)


def _months(period: Period) -> tuple[int, int]:
    """The first and last calendar month the period is named after."""
    length = MONTHS[period.kind]
    last = period.number * length
    return last - length + 1, last


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def window(period: Period, convention: str = Convention.DECREE_09) -> tuple[date, date]:
    """The first and last day (the cut-off) of ``period``'s data, both included."""
    first_month, last_month = _months(period)
    if convention == Convention.CALENDAR:
        last_day = calendar.monthrange(period.year, last_month)[1]
        return date(period.year, first_month, 1), date(period.year, last_month, last_day)
    if convention != Convention.DECREE_09:
        raise ValueError(f"unknown convention {convention!r}")
    start_year, start_month = _month_before(period.year, first_month)
    return (
        date(start_year, start_month, CUTOFF_DAY + 1),
        date(period.year, last_month, CUTOFF_DAY),
    )


def cutoff(period: Period, convention: str = Convention.DECREE_09) -> date:
    return window(period, convention)[1]


def containing(day: date, kind: str, convention: str = Convention.DECREE_09) -> Period:
    """The period of ``kind`` whose window holds ``day``."""
    year, month = day.year, day.month
    if convention == Convention.DECREE_09 and day.day > CUTOFF_DAY:
        # After the cut-off, the day belongs to the next month's window (December's tail to
        # the next year's).
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Period(year, kind, (month - 1) // MONTHS[kind] + 1)


def working_days_after(
    day: date, count: int, is_working_day: Callable[[date], bool], limit: int = 366
) -> date:
    """The ``count``-th working day after ``day`` (``is_working_day`` is the calendar)."""
    current = day
    for _step in range(limit):
        if count <= 0:
            return current
        current += timedelta(days=1)
        if is_working_day(current):
            count -= 1
    raise ValueError("no working day within a year")
