"""Judging a figure against its target: met, near or missed (``models.targets``).

The dashboard and the drill-down read every target that may apply to the figures shown in ONE
query (``applicable``), then pick the most specific per indicator and organisation in Python
(``pick``): the queries do not grow with the indicators, the organisations or the targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Direction, Target

MET, NEAR, MISSED = "met", "near", "missed"
# Words first (the colour is a second signal, never the only one); the design system's tags.
LABELS = {MET: _("Target met"), NEAR: _("Near the target"), MISSED: _("Target missed")}
TAGS = {MET: "govuk-tag--green", NEAR: "govuk-tag--yellow", MISSED: "govuk-tag--red"}


@dataclass(frozen=True)
class Judgement:
    state: str
    target: Target

    @property
    def label(self):
        return LABELS[self.state]

    @property
    def tag(self) -> str:
        return TAGS[self.state]

    @property
    def aim(self) -> str:
        """The target in words, e.g. "≥ 95", "≤ 3", "2 – 4"."""
        t = self.target
        if t.direction == Direction.HIGHER:
            return f"≥ {_plain(t.low)}"
        if t.direction == Direction.LOWER:
            return f"≤ {_plain(t.high)}"
        return f"{_plain(t.low)} – {_plain(t.high)}"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def judge(target: Target | None, value: Decimal | None) -> Judgement | None:
    """None without a target or a figure: no colour where nothing is set."""
    if target is None or value is None:
        return None
    near = target.near_percent / Decimal(100)
    low, high = target.low, target.high
    if target.direction == Direction.HIGHER:
        met, close = value >= low, value >= low - abs(low) * near
    elif target.direction == Direction.LOWER:
        met, close = value <= high, value <= high + abs(high) * near
    else:
        met = low <= value <= high
        close = low - abs(low) * near <= value <= high + abs(high) * near
    return Judgement(MET if met else NEAR if close else MISSED, target)


def applicable(indicators, organisations, year: int, number: int) -> list[Target]:
    """Every target that may apply to ``indicators`` at ``organisations`` (None: the nation)
    for (year, number): one query."""
    ids = [o.pk for o in organisations if o is not None]
    where = Q(organisation__isnull=True)
    if ids:
        where |= Q(organisation__in=ids)
    return list(
        Target.objects.filter(
            where,
            indicator__in=[i.pk for i in indicators],
            year__in=[0, year],
            number__in=[0, number],
        )
    )


def pick(targets: list[Target], indicator, organisation, year: int, number: int):
    """The most specific of ``targets`` for the figure: the organisation's own before the
    general one, then the period's before the year's before every year's."""
    org_id = organisation.pk if organisation is not None else None
    best, rank = None, None
    for t in targets:
        if t.indicator_id != indicator.pk or t.organisation_id not in (None, org_id):
            continue
        if t.year not in (0, year) or t.number not in (0, number) or (t.number and not t.year):
            continue
        key = (t.organisation_id is not None, t.year != 0, t.number != 0)
        if rank is None or key > rank:
            best, rank = t, key
    return best
