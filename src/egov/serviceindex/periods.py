"""Periods of the index: a month, a quarter or a year, in Viet Nam's local time."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.calendar import TIMEZONE

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), MONTH),
    (re.compile(r"^(\d{4})-Q([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})$"), YEAR),
)


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int  # the month (1-12), the quarter (1-4), or 1 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026-11", "2026-Q4" or "2026"; a ValidationError in Vietnamese otherwise."""
        text = (text or "").strip().upper()
        for pattern, kind in _FORMS:
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                number = int(match.group(2)) if kind != YEAR else 1
                if not 2000 <= year <= 2100 or not 1 <= number <= 12:
                    break
                return cls(kind, year, number)
        raise ValidationError(
            _("“%(value)s” is not a period: a month (2026-11), a quarter (2026-Q4) or a year.")
            % {"value": text}
        )

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        return cls(MONTH, day.year, day.month)

    @classmethod
    def current_month(cls) -> Period:
        return cls.month_of(timezone.localtime(timezone.now(), TIMEZONE).date())

    @property
    def first_day(self) -> dt.date:
        month = {MONTH: self.number, QUARTER: 3 * self.number - 2, YEAR: 1}[self.kind]
        return dt.date(self.year, month, 1)

    @property
    def end_day(self) -> dt.date:
        """The day after the period."""
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
        index = self.first_day.month - 1 + months
        return dt.date(self.year + index // 12, index % 12 + 1, 1)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: local midnights."""
        start = dt.datetime.combine(self.first_day, dt.time(), tzinfo=TIMEZONE)
        return start, dt.datetime.combine(self.end_day, dt.time(), tzinfo=TIMEZONE)

    @property
    def is_closed(self) -> bool:
        return self.end_day <= timezone.localtime(timezone.now(), TIMEZONE).date()

    @property
    def slug(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return _("Month %(month)s/%(year)s") % {"month": self.number, "year": self.year}
        if self.kind == QUARTER:
            return _("Quarter %(quarter)s/%(year)s") % {"quarter": self.number, "year": self.year}
        return _("Year %(year)s") % {"year": self.year}

    def months(self) -> list[Period]:
        first = self.first_day.month
        count = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
        return [Period(MONTH, self.year, m) for m in range(first, first + count)]

    def __str__(self) -> str:
        return self.slug
