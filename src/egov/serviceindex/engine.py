"""Computing the index: figures for a period and a scope, scored by the version in force.

``scorecards(period)`` ranks every ministry and province (from the month's snapshot when it is
frozen, live otherwise); ``scorecard(organisation, period)`` is one organisation's subtree;
``trace(...)`` lists what an indicator counted. One query per indicator (grouped by the rows'
organisation) whatever the number of organisations.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, QuerySet

from egov.core.models import Organisation
from egov.core.models.organisations import Level

from . import scoring, sources
from .indicators import FORMULAS, Counted, Listed, Scope, Totals, Unavailable
from .models import IndexIndicator, IndexVersion, Measure, Snapshot, SnapshotFigure, Variant
from .periods import MONTH, Period
from .scoring import Figure, GroupResult, Scored

NOT_APPLICABLE = "does not apply to this organisation"
# Cached figures are keyed by the versions of their sources (``sources``), so they are never
# stale while the cache holds them; the timeout bounds the memory kept for periods nobody asks
# for again, and how long a write that bypassed the services stays unseen.
CACHE_SECONDS = 3600


def version_for(period: Period) -> IndexVersion:
    version = (
        IndexVersion.objects.filter(applies_from__lte=period.first_day)
        .order_by("-applies_from")
        .first()
    )
    return version or IndexVersion.objects.order_by("applies_from").first()


def indicators_of(version: IndexVersion) -> list[IndexIndicator]:
    return list(
        IndexIndicator.objects.filter(group__version=version)
        .select_related("group")
        .order_by("group__order", "order")
    )


def ranked_organisations() -> QuerySet:
    """The ministries and provinces in force: the tree's top-level organisations."""
    return Organisation.objects.filter(
        parent__isnull=True, level__in=[Level.CENTRAL, Level.PROVINCE], valid_to__isnull=True
    ).order_by("level", "name")


def frozen(period: Period) -> Snapshot | None:
    if period.kind != MONTH:
        return None
    return Snapshot.objects.filter(month=period.first_day).select_related("version").first()


# --- figures -----------------------------------------------------------------------------------


@dataclass
class Counting:
    """One indicator's figures per bucket, and (when asked) the keys behind them."""

    figures: dict[int, Figure] = field(default_factory=dict)
    numerator_ids: dict[int, list[int]] = field(default_factory=dict)
    denominator_ids: dict[int, list[int]] = field(default_factory=dict)
    model: type | None = None
    # A counted formula for one organisation: the very querysets that were counted.
    numerator_qs: QuerySet | None = None
    denominator_qs: QuerySet | None = None
    order: str = "pk"


def count(
    indicator: IndexIndicator,
    period: Period,
    scope: Scope,
    *,
    keys: bool = False,
    figures: bool = True,
) -> Counting:
    """``figures=False``: only the querysets of a counted indicator (its figures come from
    elsewhere: the cache, a snapshot)."""
    result = FORMULAS[indicator.formula](period, indicator.parameters, scope)
    return _count_result(indicator, result, scope, keys=keys, figures=figures)


def _count_result(indicator, result, scope: Scope, *, keys=False, figures=True) -> Counting:
    counting = Counting()
    if isinstance(result, Unavailable):
        for root in scope.roots:
            counting.figures[root.pk] = Figure.unavailable(result.reason)
        return counting
    if isinstance(result, Counted):
        counting.model = result.denominator.model
        qs = scope.filter(result.denominator, result.org_field)
        counting.denominator_qs, counting.numerator_qs = qs, qs.filter(result.numerator)
        counting.order = result.order
        if not figures:
            return counting
        sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        grouped = qs.values(result.org_field).annotate(
            d=Count("pk"), n=Count("pk", filter=result.numerator)
        )
        for row in grouped.order_by():
            bucket = scope.bucket(row[result.org_field])
            if bucket is not None:
                sums[bucket][0] += row["n"]
                sums[bucket][1] += row["d"]
        for root in scope.roots:
            n, d = sums.get(root.pk, (0, 0))
            counting.figures[root.pk] = Figure.of(n, d)
        if keys and scope.everything:
            ids = qs.values_list(result.org_field, "pk")
            _collect(counting.denominator_ids, scope, ids)
            _collect(counting.numerator_ids, scope, ids.filter(result.numerator))
        return counting
    if isinstance(result, Totals):
        counting.model = result.queryset.model
        counting.denominator_qs = counting.numerator_qs = result.queryset
        for root in scope.roots:
            total, n = result.totals.get(root.pk, (Decimal(0), 0))
            counting.figures[root.pk] = Figure.of(total, n)
        if keys and scope.everything:
            _collect(
                counting.denominator_ids, scope, result.queryset.values_list(result.org_field, "pk")
            )
            counting.numerator_ids = counting.denominator_ids
        return counting
    assert isinstance(result, Listed)
    counting.model = result.model
    seen: dict[int, dict[int, tuple[bool, Decimal | None]]] = defaultdict(dict)
    for bucket, key, counts, value in result.rows:
        seen[bucket][key] = (counts or seen[bucket].get(key, (False, None))[0], value)
    for root in scope.roots:
        rows = seen.get(root.pk, {})
        n = sum(1 for c, _v in rows.values() if c)
        counting.figures[root.pk] = Figure.of(n, len(rows))
        if keys:
            counting.denominator_ids[root.pk] = sorted(rows)
            counting.numerator_ids[root.pk] = sorted(k for k, (c, _v) in rows.items() if c)
    return counting


def _collect(target: dict[int, list[int]], scope: Scope, pairs) -> None:
    for org_id, pk in pairs.order_by():
        bucket = scope.bucket(org_id)
        if bucket is not None:
            target.setdefault(bucket, []).append(pk)
    for ids in target.values():
        ids.sort()


def applies(indicator: IndexIndicator, organisation: Organisation) -> bool:
    if indicator.variant == Variant.MINISTRY:
        return organisation.level == Level.CENTRAL
    if indicator.variant == Variant.PROVINCE:
        return organisation.level != Level.CENTRAL
    return True


# --- scorecards --------------------------------------------------------------------------------


@dataclass
class Scorecard:
    organisation: Organisation
    period: Period
    version: IndexVersion
    groups: list[GroupResult]
    total: Decimal | None
    rebased: bool
    snapshot: Snapshot | None = None

    @property
    def lines(self) -> list[Scored]:
        return [line for group in self.groups for line in group.lines]

    def line(self, code: str) -> Scored:
        return next(line for line in self.lines if line.indicator.code == code)


def score_card(organisation, period, version, indicators, figures, snapshot=None) -> Scorecard:
    """Scores ``figures`` ({indicator id: Figure}) by the version's rule."""
    groups: dict[int, GroupResult] = {}
    for indicator in indicators:
        group = groups.setdefault(
            indicator.group_id, GroupResult(indicator.group, indicator.group.maximum)
        )
        figure = figures.get(indicator.pk) or Figure.unavailable(NOT_APPLICABLE)
        informative = indicator.measure == Measure.AVERAGE or indicator.points == 0
        value = None if informative else scoring.score(indicator.points, indicator.target, figure)
        group.lines.append(
            Scored(indicator, indicator.points, indicator.target, figure, value, informative)
        )
    for group in groups.values():
        group.score, group.rebased = scoring.group_score(
            group.maximum, group.group.na_rule, group.lines
        )
    results = list(groups.values())
    total, rebased = scoring.total_score(results)
    return Scorecard(organisation, period, version, results, total, rebased, snapshot)


def live_figures(indicators, period, scope) -> dict[int, dict[int, Figure]]:
    """{bucket: {indicator id: Figure}} computed now.

    Counted indicators over the same denominator (the dossiers received in the period, those
    finished in it, the petitions answered in it) are counted together: one grouped query per
    denominator, one filtered count per indicator, whatever the number of organisations.
    """
    out: dict[int, dict[int, Figure]] = defaultdict(dict)
    shared: dict[tuple, list[tuple[IndexIndicator, Counted]]] = defaultdict(list)
    for indicator in indicators:
        result = FORMULAS[indicator.formula](period, indicator.parameters, scope)
        if isinstance(result, Counted):
            qs = scope.filter(result.denominator, result.org_field)
            shared[(result.org_field, str(qs.query))].append((indicator, result))
            continue
        counting = _count_result(indicator, result, scope)
        _keep(out, indicator, counting, scope)
    for (org_field, _sql), members in shared.items():
        qs = scope.filter(members[0][1].denominator, org_field)
        counts = {
            f"n{i}": Count("pk", filter=result.numerator) for i, (_x, result) in enumerate(members)
        }
        sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in qs.values(org_field).annotate(d=Count("pk"), **counts).order_by():
            bucket = scope.bucket(row[org_field])
            if bucket is not None:
                for key, value in row.items():
                    if key != org_field:
                        sums[bucket][key] += value
        for i, (indicator, _result) in enumerate(members):
            counting = Counting()
            for root in scope.roots:
                found = sums.get(root.pk, {})
                counting.figures[root.pk] = Figure.of(found.get(f"n{i}", 0), found.get("d", 0))
            _keep(out, indicator, counting, scope)
    return out


def _keep(out, indicator, counting, scope) -> None:
    for root in scope.roots:
        if applies(indicator, root):
            out[root.pk][indicator.pk] = counting.figures[root.pk]


def ranking_token(found: dict[int, str]) -> str:
    """One key part for the whole ranking: every ranked organisation's counters."""
    joined = ";".join(f"{pk}={found[pk]}" for pk in sorted(found))
    return hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()


def ranking_figures(indicators, period, version, organisations) -> dict[int, dict[int, Figure]]:
    """Every ranked organisation's live figures, each kept in the cache under the versions of
    the sources it reads (``sources``): a dossier returned now in one province changes that
    province's key, and the next load computes that province's subtree alone; the others'
    figures, and a load with nothing changed, are read from the cache."""
    found = sources.tokens(org.pk for org in organisations)
    keys = {
        org.pk: f"serviceindex:live:{version.code}:{period.slug}:{org.pk}:{found[org.pk]}"
        for org in organisations
    }
    cached = cache.get_many(list(keys.values()))
    figures = {pk: cached[key] for pk, key in keys.items() if key in cached}
    stale = [org for org in organisations if org.pk not in figures]
    if stale:
        # Most of them moved (a catalogue change, a cold cache): one pass over everything is
        # cheaper than a long list of subtrees' ids.
        everything = len(stale) * 2 > len(organisations)
        scope = Scope(organisations if everything else stale, everything=everything)
        computed = live_figures(indicators, period, scope)
        fresh = {org.pk: dict(computed.get(org.pk, {})) for org in stale}
        cache.set_many({keys[pk]: value for pk, value in fresh.items()}, CACHE_SECONDS)
        figures.update(fresh)
    return figures


def token(organisation: Organisation) -> str:
    """The key part of ``organisation``'s live figures: its sources' versions."""
    return sources.token(organisation)


def frozen_figures(snapshot: Snapshot) -> dict[int, dict[int, Figure]]:
    out: dict[int, dict[int, Figure]] = defaultdict(dict)
    rows = SnapshotFigure.objects.filter(snapshot=snapshot).values_list(
        "organisation_id", "indicator_id", "numerator", "denominator", "na_reason"
    )
    for org_id, indicator_id, n, d, reason in rows:
        out[org_id][indicator_id] = Figure(n, d, reason)
    return out


def scorecards(period: Period) -> list[Scorecard]:
    """Every ministry and province for ``period``, best total first (N/A last)."""
    organisations = list(ranked_organisations())
    snapshot = frozen(period)
    version = snapshot.version if snapshot else version_for(period)
    indicators = indicators_of(version)
    if snapshot:
        figures = frozen_figures(snapshot)
    else:
        figures = ranking_figures(indicators, period, version, organisations)
    cards = [
        score_card(org, period, version, indicators, figures.get(org.pk, {}), snapshot)
        for org in organisations
    ]
    cards.sort(key=lambda c: (c.total is None, -(c.total or 0), c.organisation.name))
    return cards


def scorecard(organisation: Organisation, period: Period) -> Scorecard:
    """One organisation and its subtree; a ranked organisation's frozen month from its snapshot."""
    snapshot = frozen(period)
    if (
        snapshot
        and SnapshotFigure.objects.filter(snapshot=snapshot, organisation=organisation).exists()
    ):
        indicators = indicators_of(snapshot.version)
        figures = frozen_figures_of(snapshot, organisation)
        return score_card(organisation, period, snapshot.version, indicators, figures, snapshot)
    version = version_for(period)
    indicators = indicators_of(version)
    key = f"serviceindex:card:{version.code}:{organisation.pk}:{period.slug}:{token(organisation)}"
    figures = cache.get(key)
    if figures is None:
        figures = live_figures(indicators, period, Scope.of(organisation)).get(organisation.pk, {})
        cache.set(key, figures, CACHE_SECONDS)
    return score_card(organisation, period, version, indicators, figures)


def frozen_figures_of(snapshot: Snapshot, organisation: Organisation) -> dict[int, Figure]:
    rows = SnapshotFigure.objects.filter(snapshot=snapshot, organisation=organisation)
    return {row.indicator_id: Figure(row.numerator, row.denominator, row.na_reason) for row in rows}


# --- drill-down --------------------------------------------------------------------------------


@dataclass
class Trace:
    indicator: IndexIndicator
    line: Scored
    model: type | None
    numerator: QuerySet | None
    denominator: QuerySet | None
    snapshot: Snapshot | None = None
    order: str = "pk"  # the lists' order: the period's field where there is one


def _known_figure(key, indicator, organisation, period, part) -> Figure | None:
    """The figure if the cache has it: this drill-down's, or the organisation's page's or the
    ranking's (computed from the same sources' versions, so the same number)."""
    code = indicator.group.version.code
    card = f"serviceindex:card:{code}:{organisation.pk}:{period.slug}:{part}"
    ranked = f"serviceindex:live:{code}:{period.slug}:{organisation.pk}:{part}"
    found = cache.get_many([key, card, ranked])
    if key in found:
        return found[key]
    for figures in (found.get(card), found.get(ranked)):
        if figures and indicator.pk in figures:
            return figures[indicator.pk]
    return None


def trace(organisation: Organisation, period: Period, indicator: IndexIndicator) -> Trace:
    """What ``indicator`` counted for ``organisation``: the numerator's and the denominator's
    rows, as querysets of the counted model (a frozen month: the ids it kept)."""
    snapshot = frozen(period)
    stored = (
        SnapshotFigure.objects.filter(
            snapshot=snapshot, organisation=organisation, indicator=indicator
        ).first()
        if snapshot
        else None
    )
    if stored is not None:
        figure = Figure(stored.numerator, stored.denominator, stored.na_reason)
        counting = count(indicator, period, Scope.of(organisation), figures=False)  # the model
        model = counting.model
        num = model.objects.filter(pk__in=stored.numerator_ids) if model else None
        den = model.objects.filter(pk__in=stored.denominator_ids) if model else None
        order = "pk"
    else:
        part = token(organisation)
        key = f"serviceindex:trace:{indicator.pk}:{organisation.pk}:{period.slug}:{part}"
        figure = _known_figure(key, indicator, organisation, period, part)
        counting = count(
            indicator, period, Scope.of(organisation), keys=True, figures=figure is None
        )
        if figure is None:
            figure = counting.figures[organisation.pk]
            cache.set(key, figure, CACHE_SECONDS)
        model = counting.model
        num, den = counting.numerator_qs, counting.denominator_qs
        if model is not None and den is None:
            num = model.objects.filter(pk__in=counting.numerator_ids.get(organisation.pk, []))
            den = model.objects.filter(pk__in=counting.denominator_ids.get(organisation.pk, []))
        order = counting.order
    informative = indicator.measure == Measure.AVERAGE or indicator.points == 0
    value = None if informative else scoring.score(indicator.points, indicator.target, figure)
    line = Scored(indicator, indicator.points, indicator.target, figure, value, informative)
    return Trace(indicator, line, model, num, den, snapshot, order)
