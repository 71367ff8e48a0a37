"""Reporting regimes: Decree 09's deadline rules, the dates they fall on, saving with audit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from egov.core.calendar import WorkingCalendar
from egov.core.models import AuditEntry
from egov.reporting.deadlines import check_regime, stage_deadline
from egov.reporting.models import (
    Indicator,
    Periodicity,
    RegimeKind,
    RegimeStage,
    ReportingLevel,
    ReportingRegime,
)
from egov.reporting.periods import Period, cutoff
from egov.reporting.services.regimes import create_regime

GOOD = {"commune": 1, "province": 3, "ministry": 5, "government": 7}


def _check(stages, kind=RegimeKind.PERIODIC, periodicity="month", cutoff_date=None):
    check_regime(kind=kind, periodicity=periodicity, cutoff_date=cutoff_date, stages=stages.items())


def test_a_regime_keeping_the_rules_passes():
    _check(GOOD)
    _check({"province": 2}, kind=RegimeKind.AD_HOC, periodicity="", cutoff_date=date(2026, 3, 1))


@pytest.mark.parametrize(
    "stages",
    [
        {"commune": 0, "province": 3},  # due on the cut-off day itself
        {"commune": 3, "province": 3},  # a level not before the next
        {"province": 5, "ministry": 2},  # reversed
        {"commune": 1, "province": 4, "ministry": 9, "government": 9},
        {},
    ],
)
def test_deadlines_breaking_the_rules_are_refused(stages):
    with pytest.raises(ValidationError):
        _check(stages)


def test_the_refusal_is_in_vietnamese_and_names_the_levels():
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        _check({"commune": 4, "province": 2})
    message = " ".join(refused.value.messages)
    assert "Xã" in message and "Tỉnh" in message and "trước" in message


@pytest.mark.parametrize(
    "kind, periodicity, cutoff_date",
    [(RegimeKind.PERIODIC, "", None), (RegimeKind.THEMATIC, "", None), ("weekly", "", None)],
)
def test_a_regime_needs_its_period_or_cut_off(kind, periodicity, cutoff_date):
    with pytest.raises(ValidationError):
        _check(GOOD, kind=kind, periodicity=periodicity, cutoff_date=cutoff_date)


LEVELS = list(ReportingLevel.values)


@given(
    st.lists(st.integers(min_value=-2, max_value=12), min_size=1, max_size=4),
)
def test_accepted_exactly_when_increasing_and_after_the_cut_off(days):
    stages = dict(zip(LEVELS, days, strict=False))
    good = days[0] >= 1 and all(a < b for a, b in zip(days, days[1:], strict=False))
    try:
        _check(stages)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == good


@pytest.mark.django_db
def test_create_regime_saves_stages_and_audits():
    indicators = Indicator.objects.filter(key__startswith="svc_")
    regime = create_regime(
        actor="test",
        code="dvc-766",
        name="Báo cáo chỉ số phục vụ người dân, doanh nghiệp",
        kind=RegimeKind.PERIODIC,
        periodicity=Periodicity.MONTH,
        stages=GOOD,
        indicators=indicators,
    )
    assert dict(regime.stages.values_list("level", "working_days_after_cutoff")) == GOOD
    assert regime.indicators.count() == indicators.count() > 0
    entry = AuditEntry.objects.get(action="reporting.regime_created")
    assert entry.object_id == str(regime.pk)


@pytest.mark.django_db
def test_a_refused_regime_writes_nothing():
    with pytest.raises(ValidationError):
        create_regime(
            actor="test",
            code="bad",
            name="Sai hạn",
            kind=RegimeKind.PERIODIC,
            periodicity=Periodicity.MONTH,
            stages={"province": 3, "ministry": 3},
        )
    assert not ReportingRegime.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="reporting.").exists()


@pytest.mark.django_db
def test_the_database_refuses_a_deadline_on_the_cut_off():
    regime = create_regime(
        actor="test",
        code="r",
        name="R",
        kind=RegimeKind.PERIODIC,
        periodicity="month",
        stages={"province": 1},
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RegimeStage.objects.create(regime=regime, level="ministry", working_days_after_cutoff=0)


@pytest.mark.django_db
def test_deadlines_fall_on_working_days_after_the_cut_off_in_order():
    regime = create_regime(
        actor="test",
        code="m",
        name="M",
        kind=RegimeKind.PERIODIC,
        periodicity="month",
        stages=GOOD,
    )
    calendar = WorkingCalendar.for_organisation(None)
    stages = sorted(regime.stages.all(), key=lambda s: s.working_days_after_cutoff)
    for month in range(1, 13):  # 2026: Tết falls in February's window
        period = Period(2026, Periodicity.MONTH, month)
        dates = [stage_deadline(stage, period, calendar) for stage in stages]
        assert dates == sorted(set(dates))
        for stage, due in zip(stages, dates, strict=True):
            assert calendar.is_working_day(due)
            between = [
                cutoff(period) + timedelta(days=n)
                for n in range(1, (due - cutoff(period)).days + 1)
            ]
            assert sum(map(calendar.is_working_day, between)) == stage.working_days_after_cutoff


@pytest.mark.django_db
@given(
    st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=4, unique=True),
    st.integers(min_value=2019, max_value=2035),
    st.integers(min_value=1, max_value=12),
)
def test_any_good_regime_has_ordered_working_day_deadlines(counts, year, month):
    counts = sorted(counts)
    regime = ReportingRegime(kind=RegimeKind.PERIODIC, periodicity="month")
    stages = [
        RegimeStage(regime=regime, level=level, working_days_after_cutoff=days)
        for level, days in zip(LEVELS, counts, strict=False)
    ]
    calendar = _calendar()
    period = Period(year, Periodicity.MONTH, month)
    dates = [stage_deadline(stage, period, calendar) for stage in stages]
    assert all(a < b for a, b in zip(dates, dates[1:], strict=False))
    assert all(calendar.is_working_day(d) and d > cutoff(period) for d in dates)


_CACHE = {}


def _calendar():
    if "national" not in _CACHE:
        _CACHE["national"] = WorkingCalendar.for_organisation(None)
    return _CACHE["national"]
