"""The command centre's reads: a dashboard of one regime's indicators for the nation or one
organisation's subtree, and its exports (CSV, DHIS2 dataValueSets JSON).

Every figure is read from its maintained aggregate row (``services.aggregates``), never
recomputed: one query fetches the rows of every indicator for the period shown, the previous
period, the same period a year before and the trend's periods, so the page's queries do not
grow with the number of indicators. The undivided figure (disaggregation "") is shown; the
parts by sex, area... are the drill-down's (``figures.drilldown``).

A figure with a target (``models.targets``, the most specific one for the indicator, the
organisation and the period) is judged met / near / missed, in words and the design system's
tag colours; every target that may apply is read in one more query. Without a target, no colour:
a colour would claim a judgement the data cannot make.

A formula indicator's figures are computed from its inputs' rows among those read (``formulas``):
no query more, unless its inputs are outside the regime (one query for their definitions).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from egov.accounts import policy

from . import builtin, figures, formulas, freshness, scopes
from . import targets as goals
from .models import Aggregate, Aggregation, Field, RegimeKind
from .services import dhis2
from .services.rules import previous_period
from .services.xlsx import period_label

_FIELD_ORDER = {code: rank for rank, code in enumerate(Field.values)}
TREND = 12  # periods in a sparkline, the period shown included
# An aggregate row as figures.value_of reads it: a model instance per row cost ~0.28 s of a
# national dashboard of 200 indicators (2,400 rows; issue 18 §7, cProfile).
Row = namedtuple("Row", "total weight count")


def check_reader(actor, organisation, national: bool | None = None) -> None:
    """figures.py's rule: a reader at a central body (or a superuser) reads the nation and
    every organisation; anyone else the organisations their reports.read covers."""
    if national is None:
        national = figures.reads_nation(actor)
    if organisation is None and not national:
        raise PermissionDenied(_("You may not read the national figures."))
    if organisation is not None and not national:
        policy.check(actor, scopes.READ, organisation)


def trend_periods(regime, year: int, number: int, size: int = TREND) -> list[tuple[int, int]]:
    """The ``size`` periods ending with (year, number), oldest first (one for a one-off)."""
    periods = [(year, number)]
    while len(periods) < size:
        before = previous_period(regime, *periods[-1])
        if before is None:
            break
        periods.append(before)
    return periods[::-1]


def change(now: Decimal | None, then: Decimal | None) -> dict | None:
    """The difference and, when the base is not zero, the relative change in percent."""
    if now is None or then is None:
        return None
    diff = now - then
    percent = (Decimal(100) * diff / abs(then)).quantize(Decimal("0.1")) if then else None
    return {"then": then, "diff": diff, "percent": percent}


def sparkline(values: list[Decimal | None], width: int = 120, height: int = 28) -> str:
    """An SVG polyline's points for the trend (drawn server-side: no JavaScript needed).
    Gaps (no approved figure) break the line into segments."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or Decimal(1)
    step = width / max(len(values) - 1, 1)
    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        y = height - 2 - float((v - low) / span) * (height - 4)
        current.append(f"{i * step:.1f},{y:.1f}")
    if current:
        segments.append(current)
    return "|".join(" ".join(s) for s in segments)


@dataclass
class Line:
    indicator: object
    value: Decimal | None
    previous: dict | None
    last_year: dict | None
    trend: list = field(default_factory=list)  # [(label, value)]
    check: dict | None = None  # a built-in indicator's figure computed by egov, and the gap
    judgement: goals.Judgement | None = None  # against its target, if one is set
    reason: str = ""  # why a formula has no figure (formulas.py): an input missing, a zero

    @cached_property
    def points(self) -> list[str]:
        """The sparkline's SVG polylines: derived from the trend, so drawn only when the
        tables are rendered (~7 ms of every national dashboard of 200 indicators when it was a
        field; the rendered tables are cached by content, dashboard_views._sections_html)."""
        return [p for p in sparkline([v for _label, v in self.trend]).split("|") if p]


@dataclass
class Section:
    code: str
    name: str
    lines: list


def build(actor, *, regime, year: int, number: int, organisation=None, national=None) -> dict:
    """The dashboard of ``regime`` at ``organisation`` (None: the nation) for one period.
    Two queries after the scope check: the indicators and the aggregate rows. ``national``:
    figures.reads_nation(actor) if the caller knows it already."""
    check_reader(actor, organisation, national)
    periods = trend_periods(regime, year, number)
    before = previous_period(regime, year, number)
    a_year_ago = (year - 1, number) if regime.kind == RegimeKind.PERIODIC else None
    wanted = set(periods) | {p for p in (before, a_year_ago) if p}
    # One term per year (two for a monthly trend), not one per period: Django compiled the 14
    # OR-ed terms of a monthly dashboard on every request.
    numbers_of: dict[int, list[int]] = {}
    for y, n in sorted(wanted):
        numbers_of.setdefault(y, []).append(n)
    match = Q()
    for y, numbers in numbers_of.items():
        match |= Q(year=y, number__in=numbers)
    indicators = list(regime.indicators.order_by("field", "key"))
    rows = Aggregate.objects.filter(
        match, regime=regime, organisation=organisation, disaggregation=""
    ).values_list("indicator_id", "year", "number", "total", "weight", "count")
    by_key = {}
    for indicator_id, y, n, total, weight, count in rows:
        by_key[(indicator_id, y, n)] = Row(total, weight, count)

    def read(indicator, period):
        if period is None:
            return None
        return figures.value_of(by_key.get((indicator.pk, *period)), indicator)

    # Formula indicators are computed from the rows above (their inputs' rows are in them when
    # the regime reports the inputs): one more query, for the inputs' definitions, and only
    # when the regime has a formula.
    computed = formulas.Evaluator(formulas.with_inputs(indicators), read)
    value = computed.value

    # The built-in indicators' figures as egov counts them: one query per table they count
    # (dossiers, payments), none when the regime has no built-in indicator.
    span = builtin.bounds(regime, year, number)
    own = _own_counts(actor, [i.key for i in indicators], span, organisation) if span else {}
    # Every target that may apply to the figures shown: one query.
    set_targets = goals.applicable(indicators, [organisation], year, number)
    labels = [period_label(regime, y, n) for y, n in periods]
    sections: dict[str, Section] = {}
    names = dict(Field.choices)
    for indicator in indicators:
        now = value(indicator, (year, number))
        reason = ""
        if now is None and indicator.aggregation == Aggregation.FORMULA:
            reason = computed.figure(indicator, (year, number)).reason
        trend = [value(indicator, p) for p in periods]
        line = Line(
            indicator=indicator,
            value=now,
            previous=change(now, value(indicator, before)),
            last_year=change(now, value(indicator, a_year_ago)),
            trend=list(zip(labels, trend, strict=True)),
            check=builtin.gap(now, own[indicator.key][0]) if indicator.key in own else None,
            judgement=goals.judge(
                goals.pick(set_targets, indicator, organisation, year, number), now
            ),
            reason=reason,
        )
        section = sections.get(indicator.field)
        if section is None:  # a lazy name made into text once per field, not per indicator
            section = Section(indicator.field, str(names.get(indicator.field, "")), [])
            sections[indicator.field] = section
        section.lines.append(line)
    return {
        "regime": regime,
        "organisation": organisation,
        "year": year,
        "number": number,
        "period": period_label(regime, year, number),
        "previous_label": period_label(regime, *before) if before else None,
        "last_year_label": period_label(regime, *a_year_ago) if a_year_ago else None,
        # The fields in the Government's order, not their codes' alphabetical one.
        "sections": sorted(sections.values(), key=lambda s: _FIELD_ORDER.get(s.code, 99)),
        "targets": bool(set_targets),
    }


def _own_counts(actor, keys, span, organisation) -> dict:
    """builtin.computed_many, remembered until the dossiers, payments or the tree change
    (freshness.OWN); no counter read for a regime without a built-in indicator."""
    keys = [k for k in keys if k in builtin.REGISTRY]
    if not keys:
        return {}
    where = organisation.path if organisation is not None else None
    return freshness.remembered(
        actor,
        freshness.OWN,
        ("own", tuple(keys), span, where),
        lambda: builtin.computed_many(keys, span, organisation),
    )


def csv_rows(board: dict) -> list[list[str]]:
    """The dashboard's figures as rows, a header first: names and units, not only codes."""
    where = board["organisation"]
    header = [
        _("Field"),
        _("Indicator key"),
        _("Indicator"),
        _("Unit"),
        _("Organisation code"),
        _("Organisation"),
        _("Period"),
        _("Value"),
        _("Previous period"),
        _("Same period last year"),
    ]
    rows = [header]
    for section in board["sections"]:
        for line in section.lines:
            rows.append(
                [
                    section.name,
                    line.indicator.key,
                    line.indicator.name,
                    line.indicator.unit,
                    where.code if where else "",
                    where.name if where else _("The nation"),
                    board["period"],
                    _plain(line.value),
                    _plain(line.previous["then"]) if line.previous else "",
                    _plain(line.last_year["then"]) if line.last_year else "",
                ]
            )
    return rows


def data_value_set(board: dict) -> dict:
    """DHIS2's dataValueSets JSON for the period shown: one dataValue per figure with a value.
    The data element is the indicator's key, the org unit the organisation's code (the nation
    has none in our tree: "VN")."""
    regime = board["regime"]
    period = dhis2.period_id(regime, board["year"], board["number"])
    unit = board["organisation"].code if board["organisation"] else "VN"
    values = [
        {
            "dataElement": line.indicator.key,
            "period": period,
            "orgUnit": unit,
            "value": _plain(line.value),
        }
        for section in board["sections"]
        for line in section.lines
        if line.value is not None
    ]
    return {"dataSet": regime.code, "period": period, "orgUnit": unit, "dataValues": values}


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text
