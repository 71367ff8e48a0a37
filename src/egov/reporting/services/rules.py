"""A regime's validation rules on a submission's totals, DHIS2-like.

Three kinds of rule (``ValidationRule.operator``):

- a comparison of two indicators of the same report (part <= total...);
- a required value;
- ``within%``: an indicator within ±``percent`` of its value in the organisation's previous
  period (the previous month of a monthly regime, the previous quarter of a quarterly one...).

A comparison whose side is missing follows the rule's missing-value strategy (DHIS2's): skip it
when any side is missing, only when both are, or never. A comparison that is not skipped and
lacks a side is broken: the reporter sees the gap and fills it or, for a warning, confirms it.

The result is a list of problems, each about the rule's left indicator (the form and the .xlsx
show it against that indicator's fields and cells), split into blocking ones and warnings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ..models import DataValue, RegimeKind, Submission
from ..models.submissions import MissingValues, Operator, Severity
from ..periods import PER_YEAR

COMPARE = {
    Operator.LESS_OR_EQUAL: lambda a, b: a <= b,
    Operator.LESS: lambda a, b: a < b,
    Operator.EQUAL: lambda a, b: a == b,
    Operator.GREATER_OR_EQUAL: lambda a, b: a >= b,
    Operator.GREATER: lambda a, b: a > b,
}


@dataclass(frozen=True)
class Broken:
    rule: int
    indicator: str  # the key of the rule's left indicator
    message: str
    blocking: bool

    def as_warning(self) -> dict:
        return {"rule": self.rule, "indicator": self.indicator, "message": self.message}


def previous_period(regime, year: int, number: int) -> tuple[int, int] | None:
    """The period before (``year``, ``number``) in a periodic regime; None for a one-off one."""
    if regime.kind != RegimeKind.PERIODIC or regime.periodicity not in PER_YEAR:
        return None
    if number > 1:
        return year, number - 1
    return year - 1, PER_YEAR[regime.periodicity]


def previous_values(regime, organisation, year: int, number: int) -> dict[tuple[int, str], Decimal]:
    """The organisation's values of the previous period: (indicator id, disaggregation) ->
    value; empty when it sent none (or the regime is not periodic). One query."""
    before = previous_period(regime, year, number)
    if before is None:
        return {}
    rows = DataValue.objects.filter(
        submission__in=Submission.objects.filter(
            regime=regime, organisation=organisation, year=before[0], number=before[1]
        )
    ).values_list("indicator_id", "disaggregation", "value")
    return {(i, d): v for i, d, v in rows}


def totals(values) -> dict[int, Decimal]:
    """Each indicator's figure from (indicator id, disaggregation, value) triples: its undivided
    value, else the sum of its parts."""
    whole, parts = {}, defaultdict(Decimal)
    for indicator_id, disaggregation, value in values:
        if disaggregation:
            parts[indicator_id] += value
        else:
            whole[indicator_id] = value
    return {**parts, **whole}


def figure(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _skipped(strategy: str, left, right) -> bool:
    missing = (left is None) + (right is None)
    if strategy == MissingValues.SKIP_IF_ANY:
        return missing >= 1
    if strategy == MissingValues.SKIP_IF_ALL:
        return missing == 2
    return False


def _within(rule, value: Decimal, before: Decimal) -> bool:
    allowed = abs(before) * rule.percent / 100
    return abs(value - before) <= allowed


def _message(rule, left, right, before) -> str:
    names = {"rule": rule.name, "left": rule.left.name}
    if rule.operator == Operator.REQUIRED:
        return _("%(name)s is required.") % {"name": rule.left.name}
    if rule.operator == Operator.WITHIN:
        if left is None or before is None:
            return _("%(rule)s: %(left)s or its value of the previous period is missing.") % names
        return _(
            "%(rule)s: %(left)s (%(value)s) must be within ±%(percent)s%% of the previous "
            "period's %(before)s."
        ) % {
            **names,
            "value": figure(left),
            "percent": figure(rule.percent),
            "before": figure(before),
        }
    if left is None or right is None:
        return _("%(rule)s: a value to compare is missing.") % {"rule": rule.name}
    return _("%(rule)s: %(left)s (%(lvalue)s) must be %(op)s %(right)s (%(rvalue)s).") % {
        **names,
        "lvalue": figure(left),
        "op": rule.get_operator_display(),
        "right": rule.right.name,
        "rvalue": figure(right),
    }


def evaluate(regime, current: dict[int, Decimal], before: dict[int, Decimal]) -> list[Broken]:
    """The rules of ``regime`` that ``current`` (indicator id -> total) breaks; ``before`` is
    the previous period's totals, for the ``within%`` rules."""
    broken = []
    for rule in regime.rules.select_related("left", "right"):
        left = current.get(rule.left_id)
        if rule.operator == Operator.REQUIRED:
            fails = left is None
            right = previous = None
        else:
            previous = before.get(rule.left_id) if rule.operator == Operator.WITHIN else None
            right = previous if rule.operator == Operator.WITHIN else current.get(rule.right_id)
            if _skipped(rule.missing_values, left, right):
                continue
            if left is None or right is None:
                fails = True
            elif rule.operator == Operator.WITHIN:
                fails = not _within(rule, left, right)
            else:
                fails = not COMPARE[rule.operator](left, right)
        if fails:
            broken.append(
                Broken(
                    rule=rule.pk,
                    indicator=rule.left.key,
                    message=_message(rule, left, right, previous),
                    blocking=rule.severity == Severity.BLOCKING,
                )
            )
    return broken
