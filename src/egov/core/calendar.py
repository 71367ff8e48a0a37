"""The working calendar: when something is due, and how much working time lies between instants.

Everything that counts deadlines asks this module. A day is a working day unless it is a weekend
day (Saturday, Sunday) or a Vietnamese public holiday (``holidays.VN``, substituted days off
included), except the weekend days the Government turns into working days
(``holidays.VN().weekend_workdays``). Administrators' overrides (``CalendarOverride``) come last:
nationwide rows, then rows of the organisation's ancestors, then its own; the most specific wins.

A working day has office hours (default 07:00–11:30 and 13:30–17:00, 8 h) in Asia/Ho_Chi_Minh.
The calendar covers the years 2000–2099 (``MIN_YEAR``–``MAX_YEAR``); anything outside raises
``CalendarError``.

Semantics of adding working time ``d`` to an instant ``t`` (``WorkingCalendar.add``):

- ``d == 0``: ``t`` itself if it lies in a closed office period ``[open, close]``, else the next
  opening (an intake after hours or at lunch counts from the next working period);
- ``d > 0``: start at ``t`` if it lies in ``[open, close)``, else at the next opening, consume
  working time, and stop exactly at a period's end when the remainder reaches zero: a deadline
  that falls at the close of office hours is that day's 17:00, not the next morning's 07:00.

``between(a, b)`` is the working time inside ``[a, b]`` (zero when ``b <= a``). With these rules,
``between(t, add(t, d)) == d`` and ``add(add(t, a), b) == add(t, a + b)``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import holidays
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Vietnam has kept UTC+07:00 without daylight saving since 1975, so arithmetic on local wall-clock
# times is arithmetic on elapsed time.
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MIN_YEAR = 2000
MAX_YEAR = 2099
DEFAULT_OFFICE_HOURS: tuple[tuple[str, str], ...] = (("07:00", "11:30"), ("13:30", "17:00"))

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)

# One office period of a day, as offsets from local midnight.
Period = tuple[timedelta, timedelta]


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", gettext_lazy("working days")
    WORKING_HOURS = "working_hours", gettext_lazy("working hours")
    CALENDAR_DAYS = "calendar_days", gettext_lazy("calendar days")


class CalendarError(ValueError):
    """Bad input for the calendar: negative amount, naive datetime, date outside 2000–2099..."""


def _out_of_range(day: date, years: tuple[int, int] = (MIN_YEAR, MAX_YEAR)) -> CalendarError:
    return CalendarError(
        _("%(day)s is outside the working calendar, which covers the years %(first)s–%(last)s.")
        % {"day": day.isoformat(), "first": years[0], "last": years[1]}
    )


def parse_office_hours(value: Iterable[Sequence[str]]) -> tuple[Period, ...]:
    """[["07:00", "11:30"], ...] → periods; raise CalendarError unless sorted and disjoint."""
    periods: list[Period] = []
    try:
        for start, end in value:
            periods.append((_parse_clock(start), _parse_clock(end)))
    except (TypeError, ValueError) as exc:
        raise CalendarError(
            _("Office hours must be a list of [“HH:MM”, “HH:MM”] pairs, not %(value)r.")
            % {"value": value}
        ) from exc
    if not periods:
        raise CalendarError(_("Office hours need at least one period."))
    previous_end = ZERO
    for start, end in periods:
        if start >= end or start < previous_end:
            raise CalendarError(
                _(
                    "Office periods must be in order, each ending after it starts and before the "
                    "next one starts: %(value)r."
                )
                % {"value": value}
            )
        previous_end = end
    return tuple(periods)


def _parse_clock(text: str) -> timedelta:
    clock = time.fromisoformat(text)
    if clock.tzinfo is not None:
        raise ValueError(text)
    return timedelta(hours=clock.hour, minutes=clock.minute, seconds=clock.second)


@functools.cache
def _national_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend working days) of one year, from the ``holidays`` package."""
    vn = holidays.VN(years=year)
    days_off = frozenset(day for day in vn if day.year == year)
    weekend_workdays = frozenset(
        day for day in getattr(vn, "weekend_workdays", ()) if day.year == year
    )
    return days_off, weekend_workdays


def to_local(instant: datetime) -> datetime:
    """An aware datetime as a naive Asia/Ho_Chi_Minh wall-clock time (checked against the range)."""
    if not isinstance(instant, datetime):
        raise CalendarError(_("Expected a date and time, got %(value)r.") % {"value": instant})
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError(
            _("The date and time %(value)s has no time zone; give an aware datetime.")
            % {"value": instant.isoformat()}
        )
    try:
        local = instant.astimezone(TIMEZONE).replace(tzinfo=None)
    except OverflowError as exc:
        raise _out_of_range(instant.date()) from exc
    if not MIN_YEAR <= local.year <= MAX_YEAR:
        raise _out_of_range(local.date())
    return local


def _aware(local: datetime) -> datetime:
    return local.replace(tzinfo=TIMEZONE)


def _duration(amount, unit_length: timedelta) -> timedelta:
    """A non-negative number of units (int, float or Decimal) as a timedelta."""
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise CalendarError(_("The amount must be a number, not %(value)r.") % {"value": amount})
    try:
        value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation as exc:
        raise CalendarError(_("The amount must be a finite number.")) from exc
    if value < 0:
        raise CalendarError(
            _("The amount must not be negative (got %(amount)s).") % {"amount": amount}
        )
    micros = value * (unit_length // timedelta(microseconds=1))
    try:
        return timedelta(microseconds=int(micros.to_integral_value(ROUND_HALF_UP)))
    except OverflowError as exc:
        raise CalendarError(_("The amount %(amount)s is too large.") % {"amount": amount}) from exc


# Answers a calendar keeps (see WorkingCalendar._remember); cleared when full.
_MAX_ANSWERS = 4096


class WorkingCalendar:
    """Working days and office hours of one organisation (or nationwide), held in memory.

    Build it with ``for_organisation`` (two queries, whatever the span of the computation) or
    directly with resolved overrides (no database at all). Holidays are computed per year from
    ``holidays.VN`` once per process.
    """

    def __init__(
        self,
        *,
        office_hours: Iterable[Sequence[str]] = DEFAULT_OFFICE_HOURS,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        years: tuple[int, int] = (MIN_YEAR, MAX_YEAR),
    ):
        first, last = years
        if not MIN_YEAR <= first <= last <= MAX_YEAR:
            raise CalendarError(
                _("The calendar covers the years %(first)s–%(last)s only.")
                % {"first": MIN_YEAR, "last": MAX_YEAR}
            )
        self.years = (first, last)
        self.periods = parse_office_hours(office_hours)
        self.day_length = sum((end - start for start, end in self.periods), ZERO)
        self._days_off = frozenset(days_off)
        self._working_days = frozenset(working_days)
        if self._days_off & self._working_days:
            raise CalendarError(_("A date cannot be both a day off and a working day."))
        # Answers already computed: a calendar is immutable, and a batch of dossiers received at
        # the same instant asks the same questions (due time, 80%, step due times) once each.
        self._answers: dict[tuple, object] = {}

    def _remember(self, key: tuple, compute):
        try:
            return self._answers[key]
        except KeyError:
            pass
        if len(self._answers) >= _MAX_ANSWERS:
            self._answers.clear()
        answer = self._answers[key] = compute()
        return answer

    @classmethod
    def for_organisation(cls, organisation=None, *, years=(MIN_YEAR, MAX_YEAR)):
        """The calendar of ``organisation`` (None: nationwide), loaded in at most two queries."""
        # Imported here so that models of other apps may import Unit from this module.
        from egov.core.models import CalendarOverride, Organisation

        overrides = CalendarOverride.objects.filter(
            date__gte=date(years[0], 1, 1), date__lte=date(years[1], 12, 31)
        )
        if organisation is None:
            office_hours = DEFAULT_OFFICE_HOURS
            overrides = overrides.filter(organisation__isnull=True)
            lineage: list[int] = []
        else:
            lineage = [int(part) for part in organisation.path.split("/") if part]
            lineage = lineage or [organisation.pk]  # root first, the organisation itself last
            office_hours = organisation.office_hours
            if not office_hours:
                found = dict(
                    Organisation.objects.filter(pk__in=lineage[:-1]).values_list(
                        "pk", "office_hours"
                    )
                )
                inherited = (found.get(pk) for pk in reversed(lineage[:-1]))
                office_hours = next((hours for hours in inherited if hours), DEFAULT_OFFICE_HOURS)
            overrides = overrides.filter(
                models.Q(organisation__isnull=True) | models.Q(organisation_id__in=lineage)
            )
        # Least specific first, so that a deeper organisation's row overwrites the others.
        rows = sorted(
            overrides.values_list("organisation_id", "date", "kind"),
            key=lambda row: -1 if row[0] is None else lineage.index(row[0]),
        )
        kinds = {day: kind for _org, day, kind in rows}
        return cls(
            office_hours=office_hours,
            days_off=[day for day, kind in kinds.items() if kind == "day_off"],
            working_days=[day for day, kind in kinds.items() if kind == "working_day"],
            years=years,
        )

    # Days and periods ----------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        if not self.years[0] <= day.year <= self.years[1]:
            raise _out_of_range(day, self.years)
        if day in self._days_off:
            return False
        if day in self._working_days:
            return True
        national_off, weekend_workdays = _national_year(day.year)
        if day in national_off:
            return False
        return day.weekday() < 5 or day in weekend_workdays

    def office_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The (open, close) local wall-clock instants of ``day``; empty on a day off."""
        if not self.is_working_day(day):
            return []
        midnight = datetime.combine(day, time())
        return [(midnight + start, midnight + end) for start, end in self.periods]

    def _periods_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Office periods from ``day`` on; CalendarError once past the calendar's last year."""
        while True:
            yield from self.office_periods(day)
            day += ONE_DAY

    def is_working_time(self, instant: datetime) -> bool:
        """Whether ``instant`` lies in a closed office period [open, close]."""
        local = to_local(instant)
        return any(start <= local <= end for start, end in self.office_periods(local.date()))

    # Computations ----------------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of working time from ``start`` has elapsed."""
        if duration < ZERO:
            raise CalendarError(
                _("The amount must not be negative (got %(amount)s).") % {"amount": duration}
            )
        return self._remember(
            ("add", start, duration), lambda: _aware(self._add_local(to_local(start), duration))
        )

    def _add_local(self, t: datetime, remaining: timedelta) -> datetime:
        for opening, closing in self._periods_from(t.date()):
            if closing < t or (closing == t and remaining > ZERO):
                continue
            if remaining == ZERO:
                return max(t, opening)
            begin = max(t, opening)
            if remaining <= closing - begin:
                return begin + remaining
            remaining -= closing - begin
        raise AssertionError("unreachable: _periods_from never ends without raising")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside [a, b]; zero when b <= a."""
        return self._remember(("between", a, b), lambda: self._between(a, b))

    def _between(self, a: datetime, b: datetime) -> timedelta:
        a, b = to_local(a), to_local(b)
        total = ZERO
        day = a.date()
        while day <= b.date():
            for opening, closing in self.office_periods(day):
                total += max(ZERO, min(closing, b) - max(opening, a))
            day += ONE_DAY
        return total

    def due(self, start: datetime, amount, unit: Unit | str) -> datetime:
        """When ``amount`` ``unit`` from ``start`` is due.

        Working hours: ``add`` of that many hours. Working days: a working day is the office time
        of one day (``day_length``, 8 h by default), so N working days from an instant end at the
        same office-clock time N working days later; from 17:00 they end at 17:00.

        Calendar days (the whole-number amount is counted in days, Civil Code art. 147–148
        style): the candidate is ``start`` plus N days at the same wall-clock time. If the
        candidate's date is a working day, that is the deadline. If it is a day off (weekend,
        holiday, override), the deadline is the close of office hours of the next working day.
        """
        try:
            unit = Unit(unit)
        except ValueError as exc:
            raise CalendarError(
                _("Unknown unit %(unit)r; use one of %(units)s.")
                % {"unit": unit, "units": ", ".join(Unit.values)}
            ) from exc
        return self._remember(("due", start, amount, unit), lambda: self._due(start, amount, unit))

    def _due(self, start: datetime, amount, unit: Unit) -> datetime:
        local = to_local(start)
        if unit == Unit.CALENDAR_DAYS:
            return _aware(self._add_calendar_days(local, amount))
        length = self.day_length if unit == Unit.WORKING_DAYS else timedelta(hours=1)
        return _aware(self._add_local(local, _duration(amount, length)))

    def _add_calendar_days(self, t: datetime, amount) -> datetime:
        days = _duration(amount, ONE_DAY)
        if days % ONE_DAY:
            raise CalendarError(
                _("Calendar days must be a whole number (got %(amount)s).") % {"amount": amount}
            )
        try:
            candidate = t + days
        except OverflowError as exc:
            raise _out_of_range(date(MAX_YEAR + 1, 1, 1)) from exc
        day = candidate.date()
        if self.is_working_day(day):
            return candidate
        day += ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return self.office_periods(day)[-1][1]


def due(start: datetime, amount, unit: Unit | str, organisation=None) -> datetime:
    """When ``amount`` ``unit`` from ``start`` is due for ``organisation`` (None: nationwide)."""
    return WorkingCalendar.for_organisation(organisation).due(start, amount, unit)


def working_time_between(a: datetime, b: datetime, organisation=None) -> timedelta:
    """Working time of ``organisation`` (None: nationwide) inside [a, b]; zero if b <= a."""
    return WorkingCalendar.for_organisation(organisation).between(a, b)
