"""Reading the maintained aggregates: a figure and its drill-down, and the regime's completeness
and timeliness. Reads only; every read goes through the caller's scope.

A figure is read from its one aggregate row (no computation over the values): the sum for
``sum`` and ``last``, ``total / weight`` for ``weighted``. Its drill-down lists the rows of the
organisations directly below (the provinces under the nation, the communes under a province)
and the node's own approved report, each with who submitted and who approved it; for a sum
their parts add up to the figure. National-only figures are not sums of their parts.

A formula's figure is computed from its inputs' rows at the node, and each part's from the
inputs' rows at that part (``formulas``): never summed from the parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.calendar import WorkingCalendar
from egov.core.models import Organisation

from . import formulas, scopes
from .approval_acts import ACCEPTED, APPROVED
from .deadlines import stage_deadline
from .models import Aggregate, Aggregation, Approval, DataValue, RegimeKind, Submission
from .periods import PER_YEAR, Period, cutoff

ADDITIVE = (Aggregation.SUM, Aggregation.LAST)
# Which regime level an organisation's level reports at (central bodies are ministries).
STAGE_OF = {"commune": "commune", "province": "province", "central": "ministry"}


def value_of(row: Aggregate | None, indicator) -> Decimal | None:
    if row is None or row.count <= 0:
        return None
    if indicator.aggregation == Aggregation.WEIGHTED:
        return row.total / row.weight if row.weight else None
    return row.total


def reads_nation(actor) -> bool:
    """National figures: superusers and readers at a central body."""
    if policy.is_superuser(actor):
        return True
    held = [g.organisation_id for g in policy.grants(actor) if g.scope == scopes.READ]
    return bool(held) and Organisation.objects.filter(pk__in=held, level="central").exists()


@dataclass
class Part:
    organisation: Organisation
    value: Decimal | None
    weight: Decimal | None
    count: int


def drilldown(actor, *, regime, indicator, year, number, organisation=None, disaggregation=""):
    """The figure at ``organisation`` (None: the nation) with its parts one level down and the
    node's own approved report. PermissionDenied when the caller may not read the node."""
    # A reader at a central body (the command centre) reads the whole tree's figures; anyone
    # else reads the organisations their reports.read covers.
    national = reads_nation(actor)
    if organisation is None and not national:
        raise PermissionDenied(_("You may not read the national figures."))
    if organisation is not None and not national:
        policy.check(actor, scopes.READ, organisation)
    result = figure(
        regime=regime,
        indicator=indicator,
        year=year,
        number=number,
        organisation=organisation,
        disaggregation=disaggregation,
    )
    return {**result, "parts": readable(actor, result["parts"], national), "national": national}


def readable(actor, parts: list, national: bool) -> list:
    """The parts (anything with an ``organisation``) the reader may read: all for a national
    reader."""
    if national:
        return list(parts)
    return [p for p in parts if policy.can(actor, scopes.READ, p.organisation)]


def figure(*, regime, indicator, year, number, organisation=None, disaggregation="") -> dict:
    """``drilldown``'s reads for any reader: every part one level down, no scope checked (the
    caller checks the node and filters the parts with ``readable``)."""
    key = {
        "regime": regime,
        "indicator": indicator,
        "year": year,
        "number": number,
        "disaggregation": disaggregation,
    }
    if indicator.aggregation == Aggregation.FORMULA:
        return _formula_drilldown(organisation, key)
    node = Aggregate.objects.filter(organisation=organisation, **key).first()
    below = Aggregate.objects.filter(count__gt=0, **key).select_related("organisation")
    if organisation is None:
        below = below.filter(organisation__isnull=False, organisation__parent__isnull=True)
    else:
        below = below.filter(organisation__parent=organisation)
    weighted = indicator.aggregation == Aggregation.WEIGHTED
    parts = [
        Part(
            row.organisation,
            value_of(row, indicator),
            row.weight if weighted else None,
            row.count,
        )
        for row in below.order_by("organisation__path")
    ]
    own = []
    if organisation is not None:
        approval = (
            Approval.objects.filter(
                regime=regime,
                organisation=organisation,
                year=year,
                number=number,
                status__in=[APPROVED, ACCEPTED],
            )
            .select_related("approved_by", "accepted_by")
            .first()
        )
        if approval is not None:
            own = [
                {"value": v, "submission": v.submission, "approval": approval}
                for v in DataValue.objects.filter(
                    submission__regime=regime,
                    submission__organisation=organisation,
                    submission__year=year,
                    submission__number=number,
                    indicator=indicator,
                    disaggregation=disaggregation,
                ).select_related("submission__submitted_by")
            ]
    return {
        "organisation": organisation,
        "value": value_of(node, indicator),
        "weight": node.weight if (node and weighted) else None,
        "count": node.count if node else 0,
        "additive": indicator.aggregation in ADDITIVE,
        "parts": parts,
        "own": own,
        "formula": None,
    }


def _leaves(indicator) -> tuple[dict, list]:
    """The indicators a formula may use, by key, and those read from aggregate rows (formulas
    over formulas are computed, not read)."""
    known = formulas.with_inputs([indicator])
    return known, [i for i in known.values() if i.aggregation != Aggregation.FORMULA]


def _formula_drilldown(organisation, key) -> dict:
    """A formula's figure at the node and at each organisation one level down, each computed
    from the inputs' rows there (one query for all of them), with the inputs' figures at the
    node: the drill-down links each to its own, down to the approved reports."""
    indicator = key.pop("indicator")
    known, leaves = _leaves(indicator)
    below = (
        Q(organisation__parent=organisation)
        if organisation is not None
        else Q(organisation__isnull=False, organisation__parent__isnull=True)
    )
    rows = {}
    places = {}
    for row in Aggregate.objects.filter(
        Q(organisation=organisation) | below, indicator__in=leaves, count__gt=0, **key
    ).select_related("organisation"):
        rows[(row.indicator_id, row.organisation_id)] = row
        if row.organisation_id is not None and row.organisation_id != getattr(
            organisation, "pk", None
        ):
            places[row.organisation_id] = row.organisation
    computed = formulas.Evaluator(known, lambda i, at: value_of(rows.get((i.pk, at)), i))
    here = getattr(organisation, "pk", None)
    figure = computed.figure(indicator, here)

    def count(at):
        return sum(r.count for (i, o), r in rows.items() if o == at)

    parts = [
        Part(place, computed.value(indicator, pk), None, count(pk))
        for pk, place in sorted(places.items(), key=lambda item: item[1].path)
    ]
    return {
        "organisation": organisation,
        "value": figure.value,
        "weight": None,
        "count": count(here),
        "additive": False,
        "parts": parts,
        "own": [],  # a formula is not reported: its inputs' drill-downs show their reports
        "formula": figure,
    }


def formula_trend(regime, indicator, organisation, disaggregation, periods) -> list:
    """A formula's figures at ``organisation`` over ``periods`` ([(year, number)]): one query
    for its inputs' rows, two with formulas over formulas."""
    known, leaves = _leaves(indicator)
    rows = {
        (a.indicator_id, a.year, a.number): a
        for a in Aggregate.objects.filter(
            regime=regime,
            indicator__in=leaves,
            organisation=organisation,
            disaggregation=disaggregation,
            year__in={y for y, _n in periods},
        )
    }
    computed = formulas.Evaluator(known, lambda i, at: value_of(rows.get((i.pk, *at)), i))
    return [computed.value(indicator, period) for period in periods]


def _numbers(regime, year: int, number: int | None) -> list[int]:
    if regime.kind != RegimeKind.PERIODIC:
        return [1]
    if number is not None:
        return [number]
    today = timezone.localdate()
    return [
        n
        for n in range(1, PER_YEAR[regime.periodicity] + 1)
        if cutoff(Period(year, regime.periodicity, n), regime.convention) <= today
    ]


def completeness(actor, *, regime, year: int, number: int | None = None) -> list[dict]:
    """Per period and level: expected reports (the assigned organisations the caller may read
    x periods), received, on time (by the level's deadline), approved; and the rates."""
    organisations = list(
        policy.scope_queryset(actor, scopes.READ, regime.organisations.all()).values_list(
            "pk", "level"
        )
    )
    level_of = dict(organisations)
    numbers = _numbers(regime, year, number)
    stages = {s.level: s for s in regime.stages.all()}
    received = {
        (s["organisation_id"], s["number"]): s["submitted_at"]
        for s in Submission.objects.filter(
            regime=regime, year=year, number__in=numbers, organisation_id__in=level_of
        ).values("organisation_id", "number", "submitted_at")
    }
    approved = set(
        Approval.objects.filter(
            regime=regime,
            year=year,
            number__in=numbers,
            organisation_id__in=level_of,
            status__in=[APPROVED, ACCEPTED],
        ).values_list("organisation_id", "number")
    )
    calendar = WorkingCalendar.for_organisation(None)
    rows = []
    for n in numbers:
        period = Period(year, regime.periodicity, n) if regime.kind == RegimeKind.PERIODIC else None
        for level in sorted(set(level_of.values())):
            stage = stages.get(STAGE_OF.get(level, ""))
            deadline = stage_deadline(stage, period, calendar) if stage else None
            members = [pk for pk, lv in organisations if lv == level]
            got = [received[(pk, n)] for pk in members if (pk, n) in received]
            on_time = [t for t in got if deadline and timezone.localtime(t).date() <= deadline]
            done = sum((pk, n) in approved for pk in members)
            expected = len(members)
            rows.append(
                {
                    "number": n,
                    "level": level,
                    "deadline": deadline,
                    "expected": expected,
                    "received": len(got),
                    "on_time": len(on_time),
                    "approved": done,
                    "completeness": _rate(len(got), expected),
                    "timeliness": _rate(len(on_time), expected),
                }
            )
    return rows


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None
