# ruff: noqa: S608 - table names from the models, every value a query parameter.
"""A bench database for the command centre (issue 18 §7): a monthly commune regime with
``indicators`` x ``communes`` x ``periods`` values, approved up the tree, and the maintained
aggregates those approvals would have left.

Bulk, not through the services (the services are what the bench measures; going through them
for 8 million values would take hours) and without audit rows, which no page reads. Every
write is an ``INSERT ... SELECT`` run by the database itself, one statement per period and
province, so nothing crosses the wire per value; the SQL is plain enough for SQLite too (the
tests run it there).

What it writes, per period:

- a submission per commune, and one value per indicator of the regime (undivided), a
  deterministic function of the commune, indicator and period (1-997);
- the aggregates ``services.aggregates`` keeps (the same rules, computed in SQL): every
  indicator's own row at the commune; for ``sum``, ``last`` and ``weighted`` the province's
  and the nation's rows (the sum of the communes' rows: for ``weighted`` the total is
  value x weight, the weight the same report's value of the weight indicator, or 1 when none
  is named); ``national_only`` and ``formula`` never leave the commune's row;
- the approvals: each commune's report approved and accepted by its province, each province
  approved.

The regime's organisations must be communes directly under a province (the tree since 2025).
The indicators are the loaded ones, opened to the commune level (this is a bench database),
then generated ones (``bench_001``...) up to the number asked. A marker on the regime (its
``legal_basis``) says the generation finished and with what sizes, so a bench run reuses it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from dataclasses import asdict, dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from egov.core.models import Organisation

from . import freshness
from .models import (
    Aggregate,
    Aggregation,
    Approval,
    DataValue,
    Field,
    Indicator,
    ReportingRegime,
    Submission,
)
from .periods import Convention
from .services.regimes import create_regime
from .services.rules import previous_period

REGIME = "bench-xa-thang"
MARKER = "bench-generated "
USER = "bench_reporting"
# The loaded indicators that weight others (migration 0005): kept first when fewer are asked,
# so that a weighted indicator never lacks its weight.
WEIGHTS_FIRST = ["labour_force", "population_avg", "ent_new", "svc_dossiers_received"]
ADDITIVE = (Aggregation.SUM, Aggregation.LAST, Aggregation.WEIGHTED)


@dataclass
class Plan:
    indicators: int = 200
    communes: int = 0  # 0: every commune
    periods: int = 12
    # The last period (year, month); None: the last one cut off today.
    last: tuple[int, int] | None = None
    regime: str = REGIME
    progress: bool = True

    def key(self) -> dict:
        key = {k: v for k, v in asdict(self).items() if k not in ("progress", "regime")}
        key["last"] = list(self.last) if self.last else None
        return key


@dataclass
class Result:
    regime: ReportingRegime
    periods: list[tuple[int, int]]
    communes: int
    indicators: int
    values: int
    reused: bool
    seconds: float
    ingest_period: tuple[int, int] = (0, 0)
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "regime": self.regime.code,
            "periods": [list(p) for p in self.periods],
            "ingest_period": list(self.ingest_period),
            "communes": self.communes,
            "indicators": self.indicators,
            "values": self.values,
            "reused": self.reused,
            "seconds": round(self.seconds, 1),
            **self.details,
        }


def marker_of(regime: ReportingRegime) -> dict | None:
    if not regime.legal_basis.startswith(MARKER):
        return None
    try:
        return json.loads(regime.legal_basis[len(MARKER) :])
    except ValueError:
        return None


def _write(message: str, progress: bool) -> None:
    if progress:
        sys.stderr.write(message)
        sys.stderr.flush()


def _bar(done: int, total: int, started: float, what: str, progress: bool) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    elapsed = time.monotonic() - started
    _write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what} {elapsed:,.0f} s",
        progress,
    )


def communes(count: int) -> list[Organisation]:
    """``count`` communes spread over every province (every commune for 0)."""
    every = list(
        Organisation.objects.filter(level="commune", valid_to__isnull=True)
        .select_related("parent")
        .order_by("path")
    )
    if count and count < len(every):
        step = len(every) / count
        every = [every[int(i * step)] for i in range(count)]
    for commune in every:
        parent = commune.parent
        if parent is None or parent.level != "province" or parent.parent_id is not None:
            raise ValueError(f"{commune.code}: a commune directly under a province is needed")
    return every


def indicators(count: int) -> list[Indicator]:
    """The loaded indicators (their weights first), opened to communes, then generated ones."""
    loaded = list(Indicator.objects.exclude(key__startswith="bench_").order_by("field", "key"))
    loaded.sort(key=lambda i: (i.key not in WEIGHTS_FIRST, i.field, i.key))
    chosen = loaded[:count]
    for indicator in chosen:
        levels = sorted(set(indicator.levels) | {"province", "commune"})
        if levels != sorted(indicator.levels):
            Indicator.objects.filter(pk=indicator.pk).update(levels=levels)
    fields = Field.values
    wanted = [f"bench_{n:03d}" for n in range(1, count - len(chosen) + 1)]
    have = {i.key: i for i in Indicator.objects.filter(key__in=wanted)}
    for n, key in enumerate(wanted, 1):
        if key in have:
            continue
        # Mostly sums; every tenth a rate weighted by the sum before it, every tenth from 5 a
        # national-only figure, every tenth from 7 a "last value".
        rule = {0: Aggregation.WEIGHTED, 5: Aggregation.NATIONAL_ONLY, 7: Aggregation.LAST}.get(
            n % 10, Aggregation.SUM
        )
        weight = have.get(f"bench_{n - 1:03d}") if rule == Aggregation.WEIGHTED else None
        have[key] = Indicator.objects.create(
            key=key,
            name=f"Chỉ tiêu đo hiệu năng {n}",
            name_en=f"Bench indicator {n}",
            field=fields[n % len(fields)],
            unit="%" if rule == Aggregation.WEIGHTED else "đơn vị",
            value_type="number" if rule == Aggregation.WEIGHTED else "integer",
            periodicity="month",
            levels=["commune", "national", "province"],
            aggregation=rule,
            weight=weight,
        )
    return chosen + [have[k] for k in wanted]


def _periods(plan: Plan, regime) -> list[tuple[int, int]]:
    from .views import latest_period

    return _ending(regime, plan.last or latest_period(regime, timezone.localdate()), plan.periods)


def _ending(regime, last, count: int) -> list[tuple[int, int]]:
    """The ``count`` periods ending with ``last``, oldest first."""
    periods = [tuple(last)]
    while len(periods) < count:
        periods.append(previous_period(regime, *periods[-1]))
    return periods[::-1]


def mark(regime, plan: Plan, last, communes: int, indicators: int, values: int, seconds) -> None:
    """Say on the regime that its generation finished, with what sizes (the marker must fit
    ``legal_basis``, 255 characters: the periods are the ``plan.periods`` ending at ``last``)."""
    marker = {
        "plan": plan.key(),
        "last": list(last),
        "communes": communes,
        "indicators": indicators,
        "values": values,
        "seconds": round(seconds, 1),
    }
    ReportingRegime.objects.filter(pk=regime.pk).update(
        legal_basis=MARKER + json.dumps(marker, separators=(",", ":"))
    )


def _wipe(regime) -> None:
    """A half-made bench regime (an interrupted run): its rows go before it is made again."""
    with transaction.atomic():
        Aggregate.objects.filter(regime=regime).delete()
        Approval.objects.filter(regime=regime).delete()
        DataValue.objects.filter(submission__regime=regime)._raw_delete(connection.alias)
        Submission.objects.filter(regime=regime).delete()
        regime.delete()


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def generate(plan: Plan) -> Result:
    started = time.monotonic()
    regime = ReportingRegime.objects.filter(code=plan.regime).first()
    if regime is not None:
        marker = marker_of(regime)
        if marker and marker.get("plan") == plan.key():
            periods = _ending(regime, tuple(marker["last"]), plan.periods)
            return Result(
                regime=regime,
                periods=periods,
                communes=marker["communes"],
                indicators=marker["indicators"],
                values=marker["values"],
                reused=True,
                seconds=time.monotonic() - started,
                ingest_period=previous_period(regime, *periods[0]),
                details={"generation_seconds": marker.get("seconds")},
            )
        _write(f"reporting: removing the earlier bench regime {regime.code}\n", plan.progress)
        _wipe(regime)
    chosen = indicators(plan.indicators)
    keys = {i.pk for i in chosen}
    for indicator in chosen:
        # Approval would refuse a weighted value whose report lacks its weight.
        if indicator.aggregation == Aggregation.WEIGHTED and indicator.weight_id not in (
            None,
            *keys,
        ):
            raise ValueError(f"{indicator.key}: its weight indicator is not among those chosen")
    places = communes(plan.communes)
    regime = create_regime(
        actor="bench",
        code=plan.regime,
        name="Báo cáo cấp xã hằng tháng (đo hiệu năng)",
        kind="periodic",
        periodicity="month",
        convention=Convention.DECREE_09,
        stages={"commune": 2, "province": 5},
        indicators=chosen,
        organisations=places,
    )
    periods = _periods(plan, regime)
    user, _ = get_user_model().objects.get_or_create(
        username=USER, defaults={"first_name": "Đo hiệu năng", "is_active": False}
    )
    provinces = sorted({c.parent_id for c in places})
    _write(
        f"reporting: {len(chosen)} indicators x {len(places):,} communes x {len(periods)} periods "
        f"= {len(chosen) * len(places) * len(periods):,} values\n",
        plan.progress,
    )
    total = len(periods) * len(provinces)
    step = 0
    for year, number in periods:
        with transaction.atomic():
            _period(regime, year, number, user)
            for province in provinces:
                _province(regime, year, number, province)
                step += 1
                what = f"provinces x periods ({year}-{number:02d})"
                _bar(step, total, started, what, plan.progress)
            _above(regime, year, number, user)
    _write("\n", plan.progress)
    values = DataValue.objects.filter(submission__regime=regime).count()
    # Fresh statistics, or the planners scan the regime's every aggregate for one dashboard
    # (SQLite without them: 1.1 s instead of 25 ms at 720,000 values).
    with connection.cursor() as cursor:
        for model in (DataValue, Submission, Aggregate, Approval):
            cursor.execute(f"ANALYZE {_table(model)}")
    ingest = previous_period(regime, *periods[0])
    seconds = time.monotonic() - started
    mark(regime, plan, periods[-1], len(places), len(chosen), values, seconds)
    # Bulk SQL writes no audit row: say the figures moved, or a running server's remembered
    # dashboards would show the earlier ones until freshness.BACKSTOP_SECONDS.
    transaction.on_commit(lambda: freshness.bump([freshness.FIGURES]))
    regime.refresh_from_db()
    return Result(
        regime=regime,
        periods=periods,
        communes=len(places),
        indicators=len(chosen),
        values=values,
        reused=False,
        seconds=seconds,
        ingest_period=ingest,
        details={"generation_seconds": round(seconds, 1)},
    )


def _submitted_at(regime, year: int, number: int) -> dt.datetime:
    from .periods import Period, cutoff

    day = cutoff(Period(year, "month", number), regime.convention) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _when(moment: dt.datetime):
    """A datetime as a raw cursor parameter of this database."""
    return connection.ops.adapt_datetimefield_value(moment)


def _period(regime, year: int, number: int, user) -> None:
    """The period's submissions, one per commune of the regime."""
    members = _table(ReportingRegime.organisations.through)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Submission)} (regime_id, organisation_id, year, number, "
            "submitted_by_id, submitted_at, warnings) "
            f"SELECT reportingregime_id, organisation_id, %s, %s, %s, %s, '[]' FROM {members} "
            "WHERE reportingregime_id = %s",
            [year, number, user.pk, _when(_submitted_at(regime, year, number)), regime.pk],
        )


# A value in 1..997 that differs by commune, indicator and period, with no randomness (a rerun
# on another database makes the same figures). "%%": the modulo in a query with parameters. The
# aggregates are computed from the same expression (a weight is the report's value of the weight
# indicator), so they never read back the values just written.
def _value(indicator: str) -> str:
    return f"((s.organisation_id * 7919 + {indicator} * 104729 + s.number * 31) %% 997) + 1"


# services.aggregates: a weighted value counts value x weight and its weight (1 when no weight
# indicator is named); every other rule its value and no weight.
TOTAL = (
    f"CASE WHEN i.aggregation = 'weighted' THEN ({_value('ri.indicator_id')}) * "
    f"COALESCE({_value('i.weight_id')}, 1) ELSE {_value('ri.indicator_id')} END"
)
WEIGHT = (
    f"CASE WHEN i.aggregation = 'weighted' THEN COALESCE({_value('i.weight_id')}, 1) ELSE 0 END"
)
AGGREGATE_COLUMNS = (
    "(regime_id, indicator_id, organisation_id, year, number, disaggregation, total, weight, "
    "count) "
)


def _reports(where: str) -> str:
    """The period's reports x the regime's indicators (s, o, ri, i), filtered by ``where``."""
    return (
        f"FROM {_table(Submission)} s JOIN {_table(Organisation)} o ON o.id = s.organisation_id "
        f"JOIN {_table(ReportingRegime.indicators.through)} ri "
        "ON ri.reportingregime_id = s.regime_id "
        f"JOIN {_table(Indicator)} i ON i.id = ri.indicator_id "
        f"WHERE s.regime_id = %s AND s.year = %s AND s.number = %s {where}"
    )


def _province(regime, year: int, number: int, province: int) -> None:
    """The values of the communes of ``province`` for the period and their own aggregate rows
    (every rule keeps the commune's own row)."""
    args = [regime.pk, year, number, province]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(DataValue)} "
            "(submission_id, indicator_id, disaggregation, value, comment) "
            f"SELECT s.id, ri.indicator_id, '', {_value('ri.indicator_id')}, '' "
            + _reports("AND o.parent_id = %s"),
            args,
        )
        cursor.execute(
            f"INSERT INTO {_table(Aggregate)} {AGGREGATE_COLUMNS}"
            "SELECT s.regime_id, ri.indicator_id, s.organisation_id, s.year, s.number, '', "
            f"{TOTAL}, {WEIGHT}, 1 " + _reports("AND o.parent_id = %s"),
            args,
        )


def _above(regime, year: int, number: int, user) -> None:
    """The provinces' and the nation's rows (sums over the communes, for the rules that roll
    up), then the approvals: communes accepted by their province, provinces approved."""
    organisations = _table(Organisation)
    rules = "AND i.aggregation IN (" + ", ".join(["%s"] * len(ADDITIVE)) + ")"
    args = [regime.pk, year, number, *ADDITIVE]
    now = _when(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Aggregate)} {AGGREGATE_COLUMNS}"
            "SELECT s.regime_id, ri.indicator_id, o.parent_id, s.year, s.number, '', "
            f"SUM({TOTAL}), SUM({WEIGHT}), COUNT(*) {_reports(rules)} "
            "GROUP BY s.regime_id, ri.indicator_id, o.parent_id, s.year, s.number",
            args,
        )
        cursor.execute(
            f"INSERT INTO {_table(Aggregate)} {AGGREGATE_COLUMNS}"
            "SELECT s.regime_id, ri.indicator_id, CAST(NULL AS BIGINT), s.year, s.number, '', "
            f"SUM({TOTAL}), SUM({WEIGHT}), COUNT(*) {_reports(rules)} "
            "GROUP BY s.regime_id, ri.indicator_id, s.year, s.number",
            args,
        )
        approvals = (
            f"INSERT INTO {_table(Approval)} (regime_id, organisation_id, year, number, status, "
            "approved_by_id, approved_at, accepted_by_id, accepted_at, reason) "
        )
        members = _table(ReportingRegime.organisations.through)
        cursor.execute(
            approvals + "SELECT reportingregime_id, organisation_id, %s, %s, 'accepted', "
            f"%s, %s, %s, %s, '' FROM {members} WHERE reportingregime_id = %s",
            [year, number, user.pk, now, user.pk, now, regime.pk],
        )
        cursor.execute(
            approvals + "SELECT %s, p.id, %s, %s, 'approved', %s, %s, NULL, NULL, '' "
            f"FROM {organisations} p WHERE p.id IN (SELECT o.parent_id FROM {members} m "
            f"JOIN {organisations} o ON o.id = m.organisation_id "
            "WHERE m.reportingregime_id = %s)",
            [regime.pk, year, number, user.pk, now, regime.pk],
        )
