"""The compliance cost of a regulation, as the official reports compute it (VND per year):

    Cost = subjects × frequency × (days × day value + fees + other costs)

The reports' example: 780,096 subjects, once a year, 2 working days at 221,000 VND a day, no
fees: 780,096 × 2 × 221,000 = 344,802,432,000 VND. Frequencies and days may be fractions (half a
day, twice a year); the result is rounded to the đồng, half up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def compliance_cost(subjects, frequency, days, day_value, fees=0, other=0) -> int:
    per_time = Decimal(days) * Decimal(day_value) + Decimal(fees) + Decimal(other)
    total = Decimal(subjects) * Decimal(frequency) * per_time
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vnd(amount: int) -> str:
    """344802432000 → "344.802.432.000 ₫" (the Vietnamese grouping)."""
    return f"{amount:,}".replace(",", ".") + " ₫"
