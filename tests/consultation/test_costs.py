from decimal import Decimal

import pytest

from egov.consultation.costs import compliance_cost, vnd


def test_the_reports_figure():
    # 780,096 units × 2 working days × 221,000 VND a day, once a year, no fees.
    cost = compliance_cost(780_096, 1, 2, 221_000)
    assert cost == 344_802_432_000
    assert vnd(cost) == "344.802.432.000 ₫"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((10, 2, Decimal("0.5"), 200_000, 50_000, 10_000), 10 * 2 * (100_000 + 60_000)),
        ((0, 12, 3, 221_000, 0, 0), 0),
        ((3, Decimal("0.5"), 1, 1, 0, 0), 2),  # 1.5 rounds half up
    ],
)
def test_the_formula(args, expected):
    assert compliance_cost(*args) == expected
