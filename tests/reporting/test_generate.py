"""The command centre's bench generator (issue 18 §7): its counts, its approvals, and aggregates
equal to what approving every report through the service would have left."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting.generate import Plan, generate
from egov.reporting.models import (
    Aggregate,
    Aggregation,
    Approval,
    DataValue,
    Indicator,
    Submission,
)
from egov.reporting.services import aggregates

from ..accounts.officials_support import tree  # noqa: F401

# The 57 loaded indicators and 10 generated ones: bench_010 is weighted by bench_009,
# bench_005 national-only, bench_007 a "last value".
SIZE = 67
PERIODS = [(2025, 2), (2025, 3)]


@pytest.fixture
def world(tree):  # noqa: F811
    c = org_services.create_organisation(
        OrganisationData("000.00.01.H46", "Xã C", "commune", parent=tree.q)
    )
    result = generate(Plan(indicators=SIZE, periods=2, last=(2025, 3), progress=False))
    return tree, c, result


def _expected(regime):
    """The rows approving each report through services.aggregates would leave."""
    rows = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for submission in Submission.objects.filter(regime=regime).select_related("organisation"):
        values = [
            (v.indicator, v.disaggregation, v.value)
            for v in DataValue.objects.filter(submission=submission).select_related(
                "indicator__weight"
            )
        ]
        for (indicator, node, part), (t, w, c) in aggregates.contributions(
            submission.organisation, values
        ).items():
            row = rows[(indicator, node, submission.year, submission.number, part)]
            row[0] += t
            row[1] += w
            row[2] += c
    return {k: (v[0], v[1], v[2]) for k, v in rows.items()}


def test_generates_values_approvals_and_the_aggregates_approval_would_leave(world):
    t, c, result = world
    regime = result.regime
    assert (result.indicators, result.communes, result.periods) == (SIZE, 3, PERIODS)
    assert result.values == SIZE * 3 * 2
    assert DataValue.objects.filter(submission__regime=regime).count() == SIZE * 3 * 2
    assert Submission.objects.filter(regime=regime).count() == 6
    assert result.ingest_period == (2025, 1)
    statuses = defaultdict(set)
    for a in Approval.objects.filter(regime=regime):
        statuses[a.organisation_id].add(a.status)
    assert statuses == {
        t.a.pk: {"accepted"},
        t.b.pk: {"accepted"},
        c.pk: {"accepted"},
        t.p.pk: {"approved"},
        t.q.pk: {"approved"},
    }
    got = {
        (a.indicator_id, a.organisation_id, a.year, a.number, a.disaggregation): (
            a.total,
            a.weight,
            a.count,
        )
        for a in Aggregate.objects.filter(regime=regime)
    }
    assert got == _expected(regime)

    national_only = Indicator.objects.get(key="bench_005")
    assert national_only.aggregation == Aggregation.NATIONAL_ONLY
    rows = Aggregate.objects.filter(regime=regime, indicator=national_only)
    assert rows.count() == 6  # the communes' own rows only
    assert not rows.filter(organisation__isnull=True).exists()
    assert not rows.filter(organisation__level="province").exists()

    weighted = Indicator.objects.get(key="bench_010")
    assert weighted.weight.key == "bench_009"
    nation = Aggregate.objects.get(
        regime=regime, indicator=weighted, organisation=None, year=2025, number=3
    )
    weights = DataValue.objects.filter(
        submission__regime=regime, submission__number=3, indicator=weighted.weight
    )
    assert nation.weight == sum(v.value for v in weights) and nation.count == 3

    total = Indicator.objects.get(key="bench_001")
    parts = DataValue.objects.filter(
        submission__regime=regime,
        submission__number=3,
        submission__organisation__parent=t.p,
        indicator=total,
    )
    province = Aggregate.objects.get(
        regime=regime, indicator=total, organisation=t.p, year=2025, number=3
    )
    assert province.total == sum(v.value for v in parts) and province.count == 2


def test_a_second_run_reuses_the_generated_regime(world):
    _tree, _c, first = world
    again = generate(Plan(indicators=SIZE, periods=2, last=(2025, 3), progress=False))
    assert again.reused and again.regime.pk == first.regime.pk
    assert DataValue.objects.filter(submission__regime=first.regime).count() == SIZE * 6


def test_other_sizes_replace_the_earlier_bench_regime(world, capsys):
    _tree, _c, first = world
    call_command(
        "generate_reports", "--yes", "--indicators", "3", "--periods", "1", "--last", "2025-03"
    )
    out = capsys.readouterr()
    assert "9 values (3 indicators x 3 communes x 1 periods)" in out.out
    assert not Submission.objects.filter(regime_id=first.regime.pk).exists()
    assert DataValue.objects.count() == 9


def test_it_refuses_without_saying_the_database_is_a_bench_one(world):
    _tree, _c, first = world
    values = DataValue.objects.count()
    with pytest.raises(CommandError, match="--yes"):
        call_command("generate_reports", "--indicators", "3", "--periods", "1")
    assert DataValue.objects.count() == values
