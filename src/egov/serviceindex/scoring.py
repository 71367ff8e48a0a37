"""The scoring rule of Decision 766, apart from where the figures come from.

An indicator's score is its full points when the rate reaches the target, otherwise
rate × points ÷ target. A zero denominator (nothing to measure) or a missing source gives N/A,
never zero. A group re-bases over its indicators with figures (or is N/A, by its rule), and the
total over the groups with figures (docs/serviceindex.md, "Sources").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """What an indicator's function found: numerator and denominator, or why there are none."""

    numerator: Decimal | None
    denominator: Decimal | None
    na_reason: str = ""

    @classmethod
    def of(cls, numerator, denominator) -> Figure:
        return cls(Decimal(numerator), Decimal(denominator))

    @classmethod
    def unavailable(cls, reason: str) -> Figure:
        return cls(None, None, reason)

    @property
    def available(self) -> bool:
        return self.denominator is not None and self.denominator != 0

    def rate(self, *, percent: bool = True) -> Decimal | None:
        if not self.available:
            return None
        return self.numerator * (HUNDRED if percent else 1) / self.denominator


def score(points: Decimal, target: Decimal, figure: Figure) -> Decimal | None:
    """The indicator's points for ``figure``: None for N/A (not zero)."""
    rate = figure.rate()
    if rate is None:
        return None
    if target <= 0 or rate >= target:
        return Decimal(points)
    return Decimal(points) * rate / Decimal(target)


@dataclass
class Scored:
    """One indicator's line: its points and target, its figure and its score."""

    indicator: object
    points: Decimal
    target: Decimal
    figure: Figure
    score: Decimal | None
    informative: bool = False  # no points of its own (an average): shown, not summed


@dataclass
class GroupResult:
    group: object
    maximum: Decimal
    lines: list[Scored] = field(default_factory=list)
    score: Decimal | None = None
    rebased: bool = False

    @property
    def na(self) -> bool:
        return self.score is None


def group_score(maximum: Decimal, na_rule: str, lines: list[Scored]) -> tuple[Decimal | None, bool]:
    """The group's score and whether it was re-based.

    ``rebase``: Σ scores × maximum ÷ Σ points of the indicators with figures; N/A when none has.
    ``na``: N/A as soon as one indicator with points is N/A.
    """
    counted = [line for line in lines if not line.informative and line.points > 0]
    scored = [line for line in counted if line.score is not None]
    if not scored:
        return None, False
    if len(scored) == len(counted):
        return sum((line.score for line in scored), Decimal(0)), False
    if na_rule != "rebase":
        return None, False
    points = sum((line.points for line in scored), Decimal(0))
    return sum((line.score for line in scored), Decimal(0)) * Decimal(maximum) / points, True


def total_score(groups: list[GroupResult]) -> tuple[Decimal | None, bool]:
    """Σ group scores; when a group is N/A, re-based to 100 over the groups with figures."""
    scored = [g for g in groups if g.score is not None]
    if not scored:
        return None, False
    total = sum((g.score for g in scored), Decimal(0))
    if len(scored) == len(groups):
        return total, any(g.rebased for g in groups)
    maximum = sum((g.maximum for g in scored), Decimal(0))
    full = sum((g.maximum for g in groups), Decimal(0))
    return total * full / maximum, True
