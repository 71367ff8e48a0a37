"""Decree 09's windows and the calendar periods: they tile the years, with no gap or overlap."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.reporting.models import Periodicity
from egov.reporting.periods import (
    PER_YEAR,
    Convention,
    Period,
    containing,
    cutoff,
    window,
    working_days_after,
)

YEARS = st.integers(min_value=2019, max_value=2035)
KINDS = st.sampled_from(list(PER_YEAR))
CONVENTIONS = st.sampled_from(list(Convention))
DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2035, 12, 31))


def test_the_table_of_article_12():
    assert window(Period(2025, Periodicity.MONTH, 1)) == (date(2024, 12, 15), date(2025, 1, 14))
    assert window(Period(2025, Periodicity.MONTH, 3)) == (date(2025, 2, 15), date(2025, 3, 14))
    assert window(Period(2025, Periodicity.QUARTER, 2)) == (date(2025, 3, 15), date(2025, 6, 14))
    assert window(Period(2025, Periodicity.HALF, 1)) == (date(2024, 12, 15), date(2025, 6, 14))
    assert window(Period(2025, Periodicity.HALF, 2)) == (date(2025, 6, 15), date(2025, 12, 14))
    assert window(Period(2025, Periodicity.YEAR)) == (date(2024, 12, 15), date(2025, 12, 14))
    assert cutoff(Period(2025, Periodicity.QUARTER, 4)) == date(2025, 12, 14)


def test_calendar_periods():
    feb = Period(2024, Periodicity.MONTH, 2)
    assert window(feb, Convention.CALENDAR) == (date(2024, 2, 1), date(2024, 2, 29))
    q3 = Period(2025, Periodicity.QUARTER, 3)
    assert window(q3, Convention.CALENDAR) == (date(2025, 7, 1), date(2025, 9, 30))


def _tiles(periods, convention):
    windows = [window(p, convention) for p in periods]
    for (_, end), (start, _) in zip(windows, windows[1:], strict=False):
        assert start == end + timedelta(days=1)  # no gap, no overlap
    for start, end in windows:
        assert start <= end
    return windows[0][0], windows[-1][1]


@given(YEARS)
def test_monthly_windows_tile_every_year(year):
    months = [Period(year, Periodicity.MONTH, m) for m in range(1, 13)]
    assert _tiles(months, Convention.DECREE_09) == window(Period(year, Periodicity.YEAR))
    # and the next year's January starts the day after this December's cut-off
    january = window(Period(year + 1, Periodicity.MONTH, 1))[0]
    assert january == cutoff(months[-1]) + timedelta(days=1)


@given(YEARS, KINDS, CONVENTIONS)
def test_every_kind_tiles_its_year(year, kind, convention):
    periods = [Period(year, kind, n) for n in range(1, PER_YEAR[kind] + 1)]
    assert _tiles(periods, convention) == window(Period(year, Periodicity.YEAR), convention)


@given(DAYS, KINDS, CONVENTIONS)
def test_each_day_lies_in_the_period_containing_it(day, kind, convention):
    period = containing(day, kind, convention)
    start, end = window(period, convention)
    assert start <= day <= end
    assert day < window(period.next(), convention)[0]


@pytest.mark.parametrize("kind, number", [("month", 13), ("quarter", 0), ("week", 1)])
def test_no_such_period(kind, number):
    with pytest.raises(ValueError):
        Period(2025, kind, number)


def test_working_days_after_skips_days_off():
    weekdays = lambda d: d.weekday() < 5  # noqa: E731
    friday = date(2025, 3, 14)
    assert working_days_after(friday, 1, weekdays) == date(2025, 3, 17)
    assert working_days_after(friday, 0, weekdays) == friday


def test_the_latest_period_of_a_one_off_regime():
    """A thematic or ad hoc regime has one period, numbered 1 in its cut-off's year; with no
    cut-off set yet, today's year (it used to raise AttributeError on ``None.year``)."""
    from egov.reporting.models import ReportingRegime
    from egov.reporting.views import latest_period

    today = date(2026, 12, 7)
    unset = ReportingRegime(code="chuyen-de", name="Chuyên đề", kind="thematic", cutoff=None)
    assert latest_period(unset, today) == (2026, 1)
    ad_hoc = ReportingRegime(code="dot-xuat", name="Đột xuất", kind="ad_hoc")
    assert latest_period(ad_hoc, today) == (2026, 1)
    unset.cutoff = date(2025, 6, 30)
    assert latest_period(unset, today) == (2025, 1)
    monthly = ReportingRegime(code="thang", name="Tháng", kind="periodic", periodicity="month")
    assert latest_period(monthly, today) == (2026, 11)  # December's window closes on the 14th
