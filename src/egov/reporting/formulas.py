"""Indicators computed by a formula over other indicators (``Aggregation.FORMULA``), e.g. the
trade balance ``exports - imports`` or a per-capita figure ``grdp_current / population_avg``.

The language: the other indicators' keys (``Indicator.key``, the stable key every export and
the API use; few indicators have an official code), numbers, ``+ - * /``, a sign and
parentheses. It is parsed with Python's ``ast`` and every node is checked against a whitelist,
then walked here: nothing is ``eval``-ed, so a formula cannot call, index or reach an attribute.

A formula's figure is never summed up the tree nor stored: at every organisation (commune,
province, the nation) and period it is the formula evaluated over its inputs' figures, read from
the same maintained aggregate rows (``services.aggregates``) at that organisation and period. So
GRDP per capita at a province is the province's GRDP over the province's population, not a sum
of its communes' ratios, and a commune's approval moves it on the next page load as it moves
its inputs. A missing input or a division by zero gives no figure and the reason, never an
error page.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Aggregation, Indicator

_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.UAdd, ast.USub)
ONLY = gettext_noop("A formula may use only indicator keys, numbers, + - * / and parentheses.")
_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, *_OPERATORS)


class FormulaError(ValueError):
    """A formula that is not in the language; ``str()`` is the reader's message."""


class NoFigure(Exception):  # noqa: N818 - an outcome, not a failure
    """The formula has no value here; ``str()`` is why."""


def parse(text: str) -> ast.expr:
    """The formula's tree, checked against the whitelist. FormulaError otherwise."""
    try:
        tree = ast.parse((text or "").strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # ValueError: a NUL byte; RecursionError/MemoryError: thousands of nested parentheses.
        raise FormulaError(
            _("The formula cannot be read: check its operators and parentheses.")
        ) from None
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise FormulaError(_(ONLY))
        if isinstance(node, ast.Constant) and (
            type(node.value) not in (int, float) or not math.isfinite(node.value)
        ):
            raise FormulaError(_(ONLY))
    return tree.body


def keys(tree: ast.expr) -> list[str]:
    """The indicator keys a parsed formula uses, in order of appearance, once each."""
    seen: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            seen.setdefault(node.id)
    return list(seen)


def keys_of(text: str) -> list[str]:
    """The keys of a formula as stored, none if it cannot be read."""
    try:
        return keys(parse(text))
    except FormulaError:
        return []


def evaluate(tree: ast.expr, values: dict[str, Decimal | None]) -> Decimal:
    """The value of a parsed formula. NoFigure(key) when an input has no value, NoFigure with
    the divisor's text on a division by zero."""
    if isinstance(tree, ast.Constant):
        # repr: 0.1 is Decimal("0.1"), not the binary float's 55 digits.
        return Decimal(repr(tree.value)) if isinstance(tree.value, float) else Decimal(tree.value)
    if isinstance(tree, ast.Name):
        value = values.get(tree.id)
        if value is None:
            raise NoFigure(tree.id)
        return value
    if isinstance(tree, ast.UnaryOp):
        value = evaluate(tree.operand, values)
        return -value if isinstance(tree.op, ast.USub) else value
    if isinstance(tree, ast.BinOp):
        left, right = evaluate(tree.left, values), evaluate(tree.right, values)
        if isinstance(tree.op, ast.Add):
            return left + right
        if isinstance(tree.op, ast.Sub):
            return left - right
        if isinstance(tree.op, ast.Mult):
            return left * right
        if right == 0:
            raise ZeroDivisionError(ast.unparse(tree.right))
        return left / right
    raise FormulaError(
        _("A formula may use only indicator keys, numbers, + - * / and parentheses.")
    )


@dataclass
class Input:
    indicator: Indicator
    value: Decimal | None


@dataclass
class Figure:
    """A formula's figure at one organisation and period: its value, or None and why."""

    value: Decimal | None
    reason: str = ""
    inputs: list[Input] = field(default_factory=list)


class Evaluator:
    """Figures of formula indicators from ``read(indicator, at)``, the figure of a non-formula
    indicator at ``at`` (whatever the caller keys its aggregate rows by). ``known``: every
    indicator a formula may use, by key (``with_inputs``)."""

    def __init__(self, known: dict[str, Indicator], read: Callable):
        self.known = known
        self.read = read
        self._trees: dict[str, ast.expr | FormulaError] = {}

    def _tree(self, indicator):
        if indicator.key not in self._trees:
            try:
                self._trees[indicator.key] = parse(indicator.formula)
            except FormulaError as error:
                self._trees[indicator.key] = error
        return self._trees[indicator.key]

    def value(self, indicator, at) -> Decimal | None:
        """The figure of any indicator at ``at``: read, or computed if a formula."""
        if indicator.aggregation != Aggregation.FORMULA:
            return self.read(indicator, at)
        return self.figure(indicator, at).value

    def figure(self, indicator, at, _seen: frozenset = frozenset()) -> Figure:
        tree = self._tree(indicator)
        if isinstance(tree, FormulaError):
            return Figure(None, str(tree))
        if indicator.key in _seen:  # refused on save (check), but rows can be changed by hand
            return Figure(None, _("The formulas refer to each other."))
        inputs, values, reason = [], {}, ""
        for key in keys(tree):
            other = self.known.get(key)
            if other is None:
                values[key] = None
                reason = reason or _("“%(key)s” is not an indicator.") % {"key": key}
                continue
            if other.aggregation == Aggregation.FORMULA:
                inner = self.figure(other, at, _seen | {indicator.key})
                value = inner.value
                if value is None:
                    reason = reason or inner.reason
            else:
                value = self.read(other, at)
            values[key] = value
            inputs.append(Input(other, value))
        try:
            return Figure(evaluate(tree, values), "", inputs)
        except NoFigure as missing:
            other = self.known.get(str(missing))
            return Figure(
                None,
                reason
                or _("%(name)s has no approved figure here.")
                % {"name": other.name if other else str(missing)},
                inputs,
            )
        except ZeroDivisionError as divisor:
            return Figure(
                None, _("Division by zero: %(divisor)s is 0.") % {"divisor": str(divisor)}, inputs
            )


def with_inputs(indicators: Iterable[Indicator]) -> dict[str, Indicator]:
    """``indicators`` by key, with every indicator their formulas use (formulas over formulas
    included): no query without a formula, one per level of nesting otherwise."""
    known = {i.key: i for i in indicators}
    asked: set[str] = set()
    pending = list(known.values())
    while True:
        wanted = (
            {
                key
                for i in pending
                if i.aggregation == Aggregation.FORMULA
                for key in keys_of(i.formula)
            }
            - set(known)
            - asked
        )
        if not wanted:
            return known
        asked |= wanted
        pending = list(Indicator.objects.filter(key__in=wanted))
        known.update((i.key, i) for i in pending)


def check(indicator: Indicator) -> None:
    """Refuse (ValidationError on ``formula``) a formula that cannot be read, uses no indicator
    or an unknown one, makes a cycle through other formulas, or uses an indicator broken down
    differently from this one. Two queries: the inputs, the formulas."""
    try:
        tree = parse(indicator.formula)
    except FormulaError as error:
        raise ValidationError({"formula": str(error)}) from None
    used = keys(tree)
    if not used:
        raise ValidationError({"formula": _("A formula is computed from other indicators.")})
    if indicator.key in used:
        raise ValidationError({"formula": _("A formula cannot use its own indicator.")})
    found = {i.key: i for i in Indicator.objects.filter(key__in=used)}
    unknown = [key for key in used if key not in found]
    if unknown:
        raise ValidationError(
            {"formula": _("No indicator has the key: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    combo = indicator.disaggregation_id
    for key in used:
        other = found[key]
        # Each breakdown of the formula is computed from the same breakdown of its inputs; an
        # undivided formula reads its inputs' undivided figures whatever their breakdown.
        if combo is not None and other.disaggregation_id != combo:
            raise ValidationError(
                {
                    "formula": _(
                        "%(name)s is not broken down as this indicator is, so the formula "
                        "cannot be computed for each breakdown."
                    )
                    % {"name": other.name}
                }
            )
    cycle = _cycle(indicator, used)
    if cycle:
        raise ValidationError(
            {
                "formula": _("The formulas would refer to each other: %(path)s.")
                % {"path": " → ".join(cycle)}
            }
        )


def _cycle(indicator: Indicator, used: list[str]) -> list[str] | None:
    """A path of keys from ``indicator`` back to it through the stored formulas, if any."""
    graph = {
        key: keys_of(text)
        for key, text in Indicator.objects.filter(aggregation=Aggregation.FORMULA)
        .exclude(pk=indicator.pk)
        .values_list("key", "formula")
    }
    graph[indicator.key] = used
    stack = [(indicator.key, [indicator.key])]
    visited: set[str] = set()
    while stack:
        key, path = stack.pop()
        for nxt in graph.get(key, []):
            if nxt == indicator.key:
                return [*path, nxt]
            if nxt not in visited:
                visited.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def check_users(indicator: Indicator) -> None:
    """Refuse (ValidationError on ``key`` or ``disaggregation``) a change to a stored indicator
    that would break the formulas using it: a new key (they name the old one) or a breakdown
    other than that of a broken-down formula using it (``check`` holds it when the formula is
    saved; this holds it when the input is). Two queries on a change, none on a new indicator."""
    if indicator.pk is None:
        return
    stored = Indicator.objects.filter(pk=indicator.pk).values("key", "disaggregation_id").first()
    if stored is None or (
        stored["key"] == indicator.key
        and stored["disaggregation_id"] == indicator.disaggregation_id
    ):
        return
    users = [
        other
        for other in Indicator.objects.filter(
            aggregation=Aggregation.FORMULA, formula__contains=stored["key"]
        ).exclude(pk=indicator.pk)
        if stored["key"] in keys_of(other.formula)  # "contains" also finds "exports_2"
    ]

    def named(found):
        return ", ".join(f"{other.name} ({other.key})" for other in found)

    if users and stored["key"] != indicator.key:
        raise ValidationError(
            {
                "key": _(
                    "The formulas of %(names)s use this indicator by its key: change them "
                    "before the key."
                )
                % {"names": named(users)}
            }
        )
    broken = [
        other
        for other in users
        if other.disaggregation_id is not None
        and other.disaggregation_id != indicator.disaggregation_id
    ]
    if broken:
        raise ValidationError(
            {
                "disaggregation": _(
                    "The formulas of %(names)s are computed for each breakdown of this "
                    "indicator: it must stay broken down as they are."
                )
                % {"names": named(broken)}
            }
        )
