"""The compliance cost of a regulation, as the official reports compute it (VND per year):

    Cost = subjects × frequency × (days × day value + fees + other costs)

The reports' example: 780,096 subjects, once a year, 2 working days at 221,000 VND a day, no
fees: 780,096 × 2 × 221,000 = 344,802,432,000 VND. Frequencies and days may be fractions (half a
day, twice a year); the result is rounded to the đồng, half up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from egov.core import numbers

# Whole đồng and whole subjects; the others (times a year, days a time) may have two decimals.
WHOLE = frozenset({"subjects", "day_value", "fees", "other_costs"})


def compliance_cost(subjects, frequency, days, day_value, fees=0, other=0) -> int:
    per_time = Decimal(days) * Decimal(day_value) + Decimal(fees) + Decimal(other)
    total = Decimal(subjects) * Decimal(frequency) * per_time
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vnd(amount: int) -> str:
    """344802432000 → "344.802.432.000 ₫" (the Vietnamese grouping)."""
    return f"{amount:,}".replace(",", ".") + " ₫"


def read(name: str, raw: str) -> str:
    """A cost field as typed on a page ("221.000", "0,5", "1.000,5") in the form the service
    reads ("221000", "0.5", "1000.5"); anything else is left for the service to refuse with
    its message. The reading is the core's (:mod:`egov.core.numbers`)."""
    return numbers.read(raw, whole=name in WHOLE) or "0"


def shown(name: str, value) -> str:
    """A saved figure as :func:`read` reads it back: whole đồng grouped with "." (221000 →
    "221.000"), times and days with a decimal comma and no trailing zeros (0.50 → "0,5",
    1.00 → "1")."""
    return numbers.shown(value, whole=name in WHOLE)
