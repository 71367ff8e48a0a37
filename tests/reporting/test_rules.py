"""Validation rules: within ±x% of the previous period, DHIS2's missing-value strategies, and
a rule as a warning or blocking."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from egov.reporting.models import (
    Indicator,
    MissingValues,
    Operator,
    Severity,
    Submission,
    ValidationRule,
)
from egov.reporting.services.rules import previous_period
from egov.reporting.services.submissions import WarningsToConfirm

from .form_support import send
from .submission_support import MONTH, ON_TIME, RATE, TOTAL


def _rule(regime, **kw):
    keys = {k: Indicator.objects.get(key=v) for k, v in kw.items() if k in ("left", "right")}
    return ValidationRule.objects.create(regime=regime, **{**kw, **keys})


def test_previous_period_crosses_the_year(w):
    assert previous_period(w.regime, 2025, 3) == (2025, 2)
    assert previous_period(w.regime, 2025, 1) == (2024, 12)


@pytest.mark.parametrize(
    ("before", "now", "passes"),
    [("100", "110", True), ("100", "90", True), ("100", "111", False), ("100", "89", False)],
)
def test_within_ten_percent_of_last_month(w, before, now, passes):
    _rule(w.regime, name="Biến động ±10%", left=TOTAL, operator=Operator.WITHIN, percent=10)
    send(w.reporter, w.regime, w.t.a, number=MONTH - 1, values=(before, "", ""))
    if passes:
        assert send(w.reporter, w.regime, w.t.a, values=(now, "", ""))
        return
    with pytest.raises(ValidationError) as refused:
        send(w.reporter, w.regime, w.t.a, values=(now, "", ""))
    assert "10" in str(refused.value.messages) and "100" in str(refused.value.messages)
    assert Submission.objects.filter(number=MONTH).count() == 0


def test_within_percent_as_a_warning_is_confirmed(w):
    _rule(
        w.regime,
        name="Biến động ±10%",
        left=TOTAL,
        operator=Operator.WITHIN,
        percent=10,
        severity=Severity.WARNING,
    )
    send(w.reporter, w.regime, w.t.a, number=MONTH - 1, values=("100", "", ""))
    with pytest.raises(WarningsToConfirm) as asked:
        send(w.reporter, w.regime, w.t.a, values=("200", "", ""))
    assert asked.value.warnings[0]["indicator"] == TOTAL
    submission = send(w.reporter, w.regime, w.t.a, values=("200", "", ""), confirm=True)
    assert submission.warnings[0]["indicator"] == TOTAL


@pytest.mark.parametrize(
    ("strategy", "first_month_passes"),
    [
        (MissingValues.SKIP_IF_ANY, True),
        (MissingValues.SKIP_IF_ALL, False),  # this month's value is there, last month's is not
        (MissingValues.NEVER_SKIP, False),
    ],
)
def test_a_missing_previous_value_follows_the_strategy(w, strategy, first_month_passes):
    _rule(
        w.regime,
        name="Biến động",
        left=TOTAL,
        operator=Operator.WITHIN,
        percent=10,
        missing_values=strategy,
    )
    if first_month_passes:
        assert send(w.reporter, w.regime, w.t.a, values=("120", "", ""))
    else:
        with pytest.raises(ValidationError, match="missing|thiếu"):
            send(w.reporter, w.regime, w.t.a, values=("120", "", ""))


@pytest.mark.parametrize(
    ("strategy", "given", "passes"),
    [
        (MissingValues.SKIP_IF_ANY, (RATE,), True),
        (MissingValues.SKIP_IF_ALL, (RATE,), False),
        (MissingValues.SKIP_IF_ALL, (), True),
        (MissingValues.NEVER_SKIP, (), False),
        (MissingValues.NEVER_SKIP, (RATE, ON_TIME), True),
    ],
)
def test_a_comparison_with_a_missing_side(w, strategy, given, passes):
    # The regime's own warning compares ON_TIME with RATE; this blocking one likewise.
    ValidationRule.objects.filter(regime=w.regime).exclude(operator=Operator.REQUIRED).delete()
    _rule(
        w.regime,
        name="Đúng hạn không quá trực tuyến",
        left=ON_TIME,
        operator=Operator.LESS_OR_EQUAL,
        right=RATE,
        missing_values=strategy,
    )
    values = ("120", "45" if RATE in given else "", "40" if ON_TIME in given else "")
    if passes:
        assert send(w.reporter, w.regime, w.t.a, values=values)
    else:
        with pytest.raises(ValidationError):
            send(w.reporter, w.regime, w.t.a, values=values)
        assert not Submission.objects.exists()


def test_a_within_rule_needs_its_percent(w):
    with pytest.raises(IntegrityError):
        _rule(w.regime, name="x", left=TOTAL, operator=Operator.WITHIN)


def test_a_previous_zero_allows_only_zero(w):
    _rule(w.regime, name="Biến động", left=TOTAL, operator=Operator.WITHIN, percent=Decimal(50))
    send(w.reporter, w.regime, w.t.a, number=MONTH - 1, values=("0", "", ""))
    with pytest.raises(ValidationError):
        send(w.reporter, w.regime, w.t.a, values=("1", "", ""))
    assert send(w.reporter, w.regime, w.t.a, values=("0", "", ""))
