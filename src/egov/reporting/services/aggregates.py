"""The maintained aggregates: changed by deltas in the transaction that approves, un-approves
or corrects a report, never rebuilt.

A report's approved values contribute to its organisation's row, each ancestor's row and the
nation's row (``organisation`` empty), per the indicator's rule:

- ``sum`` (and ``last``: "last" is over time in DHIS2, and each period is its own row here, so
  across organisations it adds up): ``total += value``;
- ``weighted``: ``total += value x weight`` and ``weight += weight``, the weight being the same
  report's value of the named weight indicator (same disaggregation, else its undivided
  figure, else the sum of its parts); the figure is ``total / weight``. With no weight named,
  each report weighs 1 (a plain mean) until an administrator names one;
- ``national_only``: only the organisation's own row, and the nation's when a central body
  reported it: never summed from the provinces;
- ``formula``: only the organisation's own row, which is not its figure: a formula's figure is
  computed when read from its inputs' rows (``formulas``).

Rows are created empty if missing (one INSERT ... ON CONFLICT DO NOTHING) and then moved with
``UPDATE ... SET total = total + delta`` in a fixed order, so that two communes approved at once
in one province serialise on the province's row instead of losing an update or deadlocking.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from ..models import Aggregate, Aggregation

NATION = None


def _nodes(organisation) -> list[int]:
    """The organisation and its ancestors, from its materialised path ("/1/35/900/")."""
    return [int(part) for part in organisation.path.strip("/").split("/") if part]


def _weight(indicator, disaggregation, values: dict) -> Decimal | None:
    weight = indicator.weight_id
    if weight is None:
        return Decimal(1)
    if (weight, disaggregation) in values:
        return values[(weight, disaggregation)]
    if (weight, "") in values:
        return values[(weight, "")]
    parts = [v for (i, _d), v in values.items() if i == weight]
    return sum(parts, Decimal(0)) if parts else None


def contributions(organisation, values) -> dict[tuple, list]:
    """``values``: [(indicator, disaggregation, value)] of one report. Returns
    ``{(indicator_id, organisation_id | None, disaggregation): [total, weight, count]}``."""
    by_key = {(i.pk, d): v for i, d, v in values}
    result: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    nodes = _nodes(organisation)
    for indicator, disaggregation, value in values:
        rule = indicator.aggregation
        weight = Decimal(0)
        total = value
        if rule == Aggregation.WEIGHTED:
            weight = _weight(indicator, disaggregation, by_key)
            if weight is None:
                raise ValidationError(
                    _("%(name)s is averaged weighted by %(weight)s, which the report lacks.")
                    % {"name": indicator.name, "weight": indicator.weight.name}
                )
            total = value * weight
        if rule == Aggregation.NATIONAL_ONLY:
            targets = [nodes[-1]] + ([NATION] if organisation.level == "central" else [])
        elif rule == Aggregation.FORMULA:
            targets = [nodes[-1]]
        else:
            targets = [*nodes, NATION]
        for node in targets:
            row = result[(indicator.pk, node, disaggregation)]
            row[0] += total
            row[1] += weight
            row[2] += 1
    return result


def net(plus: dict, minus: dict) -> dict:
    """``plus - minus``, dropping keys that do not move."""
    keys = set(plus) | set(minus)
    zero = [Decimal(0), Decimal(0), 0]
    result = {}
    for key in keys:
        a, b = plus.get(key, zero), minus.get(key, zero)
        delta = [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
        if any(delta):
            result[key] = delta
    return result


def negate(deltas: dict) -> dict:
    return {k: [-t, -w, -c] for k, (t, w, c) in deltas.items()}


def apply(regime, year: int, number: int, deltas: dict) -> int:
    """Move the aggregate rows by ``deltas`` (inside the caller's transaction). Returns the
    number of rows moved."""
    if not deltas:
        return 0
    Aggregate.objects.bulk_create(
        [
            Aggregate(
                regime=regime,
                indicator_id=indicator,
                organisation_id=node,
                year=year,
                number=number,
                disaggregation=disaggregation,
            )
            for indicator, node, disaggregation in deltas
        ],
        ignore_conflicts=True,
    )
    # One order for every writer: rows are locked in the same sequence by every transaction.
    for indicator, node, disaggregation in sorted(deltas, key=lambda k: (k[0], k[1] or 0, k[2])):
        total, weight, count = deltas[(indicator, node, disaggregation)]
        Aggregate.objects.filter(
            regime=regime,
            indicator_id=indicator,
            organisation_id=node,
            year=year,
            number=number,
            disaggregation=disaggregation,
        ).update(total=F("total") + total, weight=F("weight") + weight, count=F("count") + count)
    return len(deltas)
