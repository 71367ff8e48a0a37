"""Submitting values: every check before anything is written, one transaction, one audit row."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core.models import AuditEntry
from egov.reporting.models import DataValue, Indicator, Submission
from egov.reporting.services.submissions import Entry, WarningsToConfirm, submit

from ..accounts.officials_support import make_official, tree  # noqa: F401
from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR, make_regime

GOOD = [Entry(TOTAL, "120"), Entry(RATE, "45.5"), Entry(ON_TIME, "40")]


@pytest.fixture
def setup(tree):  # noqa: F811
    regime = make_regime(tree.a, tree.b)
    reporter = make_official("rep_a", tree.a, "reporter").user
    return regime, reporter, tree


def _submit(setup, entries=GOOD, **kwargs):
    regime, reporter, t = setup
    options = dict(actor=reporter, regime=regime, organisation=t.a, year=YEAR, number=MONTH)
    options.update(kwargs)
    return submit(entries=entries, **options)


def test_a_good_submission_is_saved_and_audited(setup):
    submission = _submit(setup)
    values = dict(submission.values.values_list("indicator__key", "value"))
    assert values == {TOTAL: Decimal("120"), RATE: Decimal("45.5"), ON_TIME: Decimal("40")}
    assert submission.submitted_by == setup[1]
    entry = AuditEntry.objects.get(action="reporting.submitted")
    assert entry.summary["values"] == 3 and entry.summary["again"] is False


def test_sending_again_replaces_the_values(setup):
    _submit(setup)
    _submit(setup, entries=[Entry(TOTAL, "130")])
    assert Submission.objects.count() == 1
    assert list(DataValue.objects.values_list("value", flat=True)) == [Decimal("130")]
    assert AuditEntry.objects.filter(action="reporting.submitted").count() == 2


def _refused(setup, entries, error=ValidationError, **kwargs):
    with pytest.raises(error) as refused:
        _submit(setup, entries=entries, **kwargs)
    assert not Submission.objects.exists() and not DataValue.objects.exists()
    assert not AuditEntry.objects.filter(action="reporting.submitted").exists()
    return refused.value


@pytest.mark.parametrize(
    "entries",
    [
        [Entry(RATE, "40")],  # the total is required
        [Entry(TOTAL, "12.5")],  # a count is a whole number
        [Entry(TOTAL, "abc")],
        [Entry(TOTAL, "NaN")],
        [Entry(TOTAL, "120"), Entry(TOTAL, "121")],
        [Entry(TOTAL, "120"), Entry("gdp_current", "1")],  # not in the regime
        [Entry(TOTAL, "120", "male")],  # no such disaggregation
        [Entry(TOTAL, "10"), Entry(RATE, "45.5")],  # blocking: part <= total broken
        [],
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(setup, entries):
    _refused(setup, entries)


def test_warnings_need_confirming(setup):
    entries = [Entry(TOTAL, "120"), Entry(RATE, "30"), Entry(ON_TIME, "90")]
    refused = _refused(setup, entries, error=WarningsToConfirm)
    assert len(refused.warnings) == 1
    submission = _submit(setup, entries=entries, confirm=True)
    assert submission.warnings == refused.warnings


def test_another_organisation_may_not_submit_for_a(setup):
    regime, _reporter, t = setup
    outsider = make_official("rep_b", t.b, "reporter").user
    _refused(setup, GOOD, error=PermissionDenied, actor=outsider)


def test_an_organisation_outside_the_regime_is_refused(setup):
    _regime, _reporter, t = setup
    reporter_q = make_official("rep_q", t.q, "reporter").user
    _refused(setup, GOOD, actor=reporter_q, organisation=t.q)


@pytest.mark.parametrize("year, number", [(2025, 13), (2099, 1)])  # no such month; not cut off
def test_the_period_must_exist_and_be_cut_off(setup, year, number):
    _refused(setup, GOOD, year=year, number=number)


def test_an_indicator_of_another_level_is_refused(setup):
    regime, _reporter, _t = setup
    gdp = Indicator.objects.get(key="gdp_current")  # national only
    regime.indicators.add(gdp)
    refused = _refused(setup, [Entry(TOTAL, "120"), Entry("gdp_current", "1")])
    assert len(refused.messages) == 1


def test_an_indicator_out_of_force_is_refused(setup):
    Indicator.objects.filter(key=RATE).update(valid_to=date(YEAR, 1, 31))
    _refused(setup, GOOD)
    Indicator.objects.filter(key=RATE).update(valid_to=None, valid_from=date(YEAR, 6, 1))
    _refused(setup, GOOD)
