"""Built-in indicators and cross-checks: public-service figures egov computes from its own data.

Some indicators of a regime are quantities the platform itself records. For those, the
drill-down sets the reported (approved) figure beside the computed one, with the gap, so that a
reader sees at once where a report and the platform disagree ("con số biết nói").

A built-in figure is counted over the period's window (``periods.window``, Decree 09's cut-offs
or calendar periods as the regime says), in local days (Asia/Ho_Chi_Minh: a dossier received at
23:30 on the cut-off day belongs to the period), over the organisation's subtree (the
materialised path's prefix). Each indicator is a few filtered COUNTs over one table; the counts
of every built-in indicator on one table, at the node and every part one level down, are taken
in ONE query (one filtered COUNT per indicator, count and part in the same SELECT), so the
queries do not grow with the parts or the indicators: at most one per table (dossiers,
payments).

Registered, with the meaning egov's data gives exactly:

- ``svc_dossiers_received``: dossiers whose reception falls in the window, by the agency that
  took them in (``origin_organisation``, which a transfer does not change): "phát sinh".
- ``svc_on_time_rate``: of the dossiers finished (processed) in the window, the share finished
  early or on time, by the agency that processed them (``organisation``). The rule is the
  dossiers app's (``deadlines.finished_on_time``: timeliness early or on time, the due time
  moved by paused supplement time, at most one supplement request), the one the service index's
  2.1 counts: the two cannot disagree.
- ``svc_online_payment_rate``: of the payments settled (paid) in the window, the share paid
  through an online gateway (``payments.ONLINE_METHODS``: the national portal, VNPay), by the
  dossier's processing agency.

A rate is in percent (the indicators' unit), None when nothing was finished or paid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from egov.dossiers.models import Dossier
from egov.dossiers.services import deadlines
from egov.payments.models import ONLINE_METHODS, Payment, PaymentStatus

from .models import RegimeKind
from .periods import Period, window


def is_builtin(indicator) -> bool:
    return indicator.key in REGISTRY


def bounds(regime, year: int, number: int) -> tuple[datetime, datetime] | None:
    """The period's window as [start, end) aware datetimes; None for a regime without periods
    (a thematic or ad hoc report has no window to count in)."""
    if regime.kind != RegimeKind.PERIODIC:
        return None
    first, last = window(Period(year, regime.periodicity, number), regime.convention)
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), zone)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone)
    return start, end


@dataclass(frozen=True)
class Builtin:
    """One built-in indicator: the rows it counts (``table``), the lookup to their
    organisation's path (the subtree filter), its named conditions over [start, end), the
    figure made from their counts and the apps whose audited changes can change it."""

    source: str  # what egov counts, said in the page's words
    table: str  # rows of one table are counted in one query
    path: str
    conditions: Callable[[datetime, datetime], dict[str, Q]]
    figure: Callable[[dict[str, int]], Decimal | None]
    # The first part of their audit rows' actions (as CommandTile.reads): the command centre
    # forgets the counts it remembers when one of these moves (freshness.OWN).
    reads: frozenset[str]


def _dossiers() -> QuerySet:
    return Dossier.objects.all()


def _payments() -> QuerySet:
    return Payment.objects.all()


TABLES = {"dossiers": _dossiers, "payments": _payments}


def _count(name: str) -> Callable[[dict[str, int]], Decimal]:
    return lambda counts: Decimal(counts[name])


def _share(part: str, whole: str) -> Callable[[dict[str, int]], Decimal | None]:
    def figure(counts):
        if not counts[whole]:
            return None
        return (Decimal(100) * counts[part] / counts[whole]).quantize(Decimal("0.01"))

    return figure


def _received(start, end) -> dict[str, Q]:
    return {"received": Q(received_at__gte=start, received_at__lt=end)}


def _on_time(start, end) -> dict[str, Q]:
    # The dossiers app's two definitions, as conditions over the dossiers table.
    done = deadlines.finished_in(start, end)
    return {"finished": done, "on_time": done & deadlines.finished_on_time()}


def _paid(start, end) -> dict[str, Q]:
    paid = Q(status=PaymentStatus.PAID, settled_at__gte=start, settled_at__lt=end)
    return {"paid": paid, "online": paid & Q(method__in=ONLINE_METHODS)}


RECEIVED = "svc_dossiers_received"
ON_TIME = "svc_on_time_rate"
ONLINE_PAYMENT = "svc_online_payment_rate"
REGISTRY = {
    RECEIVED: Builtin(
        "Số hồ sơ có thời điểm tiếp nhận trong kỳ, tính theo cơ quan tiếp nhận",
        "dossiers",
        "origin_organisation__path",
        _received,
        _count("received"),
        frozenset({"dossiers", "organisation"}),
    ),
    ON_TIME: Builtin(
        "Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn trên số hồ sơ đã giải quyết trong kỳ"
        " (quá một lần yêu cầu bổ sung tính là trễ hạn), tính theo cơ quan giải quyết",
        "dossiers",
        "organisation__path",
        _on_time,
        _share("on_time", "finished"),
        frozenset({"dossiers", "organisation"}),
    ),
    ONLINE_PAYMENT: Builtin(
        "Tỷ lệ khoản phí, lệ phí thanh toán trực tuyến (Cổng DVC quốc gia, VNPay) trên số"
        " khoản đã thanh toán trong kỳ, tính theo cơ quan giải quyết hồ sơ",
        "payments",
        "dossier__organisation__path",
        _paid,
        _share("online", "paid"),
        # The payments, and their dossier's processing agency (a transfer moves it).
        frozenset({"payments", "dossiers", "organisation"}),
    ),
}


def computed_many(
    keys, span, organisation, parts: Sequence = ()
) -> dict[str, tuple[Decimal | None, dict[int, Decimal | None]]]:
    """egov's figures for the built-in indicators ``keys`` over ``span`` = [start, end) at
    ``organisation``'s subtree (None: the nation) and each of ``parts``' subtrees: one query
    per table, whatever the number of indicators and parts."""
    start, end = span
    wanted = [k for k in dict.fromkeys(keys) if k in REGISTRY]
    by_table: dict[str, list[str]] = {}
    for key in wanted:
        by_table.setdefault(REGISTRY[key].table, []).append(key)
    result = {}
    for table, table_keys in by_table.items():
        counts, anywhere = {}, Q()
        for i, key in enumerate(table_keys):
            entry = REGISTRY[key]
            for name, condition in entry.conditions(start, end).items():
                anywhere |= condition
                node = condition
                if organisation is not None:
                    node &= Q(**{f"{entry.path}__startswith": organisation.path})
                counts[f"k{i}_{name}"] = Count("pk", filter=node)
                for part in parts:
                    within = Q(**{f"{entry.path}__startswith": part.path})
                    counts[f"k{i}_{name}_p{part.pk}"] = Count("pk", filter=condition & within)
        row = TABLES[table]().filter(anywhere).aggregate(**counts)
        for i, key in enumerate(table_keys):
            entry = REGISTRY[key]
            names = list(entry.conditions(start, end))
            node = entry.figure({n: row[f"k{i}_{n}"] for n in names})
            by_part = {
                part.pk: entry.figure({n: row[f"k{i}_{n}_p{part.pk}"] for n in names})
                for part in parts
            }
            result[key] = (node, by_part)
    return result


def computed(indicator, span, organisation, parts: Sequence = ()):
    """egov's figure for a built-in ``indicator`` over ``span`` at the node and its parts."""
    return computed_many([indicator.key], span, organisation, parts)[indicator.key]


def _gap(reported: Decimal | None, computed: Decimal | None) -> dict:
    gap = None if reported is None or computed is None else reported - computed
    percent = (
        (Decimal(100) * gap / computed).quantize(Decimal("0.1"))
        if gap is not None and computed
        else None
    )
    return {"reported": reported, "computed": computed, "gap": gap, "percent": percent}


def gap(reported: Decimal | None, value: Decimal | None) -> dict:
    return _gap(reported, value)


def cross_check(
    *, regime, indicator, year: int, number: int, organisation, reported, parts
) -> dict | None:
    """The reported figure and egov's, with the gap (reported − computed, and its percent of
    the computed), for the node and each part; ``parts`` are (organisation, reported value)
    pairs the caller may read. None when the indicator is not built in or has no window."""
    if not is_builtin(indicator):
        return None
    span = bounds(regime, year, number)
    if span is None:
        return None
    node, by_part = computed(indicator, span, organisation, [o for o, _v in parts])
    return {
        "source": REGISTRY[indicator.key].source,
        "start": span[0].date(),
        "end": (span[1] - timedelta(days=1)).date(),
        "node": _gap(reported, node),
        "parts": [{"organisation": o, **_gap(value, by_part[o.pk])} for o, value in parts],
    }
