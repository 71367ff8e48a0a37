"""Built-in indicators and cross-checks: public-service figures egov computes from its own data.

Some indicators of a regime are quantities the platform itself records: the number of dossiers
received is the count of dossiers whose reception falls in the period's window. For those, the
drill-down sets the reported (approved) figure beside the computed one, with the gap, so that a
reader sees at once where a report and the platform disagree ("con số biết nói").

A built-in figure is counted over the period's window (``periods.window``, Decree 09's cut-offs
or calendar periods as the regime says), in local days (Asia/Ho_Chi_Minh: a dossier received at
23:30 on the cut-off day belongs to the period), over the organisation's subtree (the
materialised path's prefix). The node and every part one level down are counted in ONE query
(one filtered COUNT per part in the same SELECT), so the queries do not grow with the parts.

Only an indicator whose meaning egov's data gives exactly is registered: the dossiers received
are counted by the agency that took them in (``origin_organisation``, which a transfer does not
change), i.e. "phát sinh" at that agency. Rates (on time, online payment) are not registered
yet: their definitions (which dossiers count as "processed in the period", which fees are
"online") need the dossiers and payments owners' word first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from egov.dossiers.models import Dossier

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


def received(
    start: datetime, end: datetime, organisation, parts: Sequence
) -> tuple[int, dict[int, int]]:
    """Dossiers received in [start, end) in ``organisation``'s subtree (None: the nation) and in
    each of ``parts``' subtrees: one query."""
    rows = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if organisation is not None:
        rows = rows.filter(origin_organisation__path__startswith=organisation.path)
    counts = {"node": Count("pk")}
    for part in parts:
        counts[f"p{part.pk}"] = Count(
            "pk", filter=Q(origin_organisation__path__startswith=part.path)
        )
    result = rows.aggregate(**counts)
    return result["node"], {part.pk: result[f"p{part.pk}"] for part in parts}


RECEIVED = "svc_dossiers_received"
# indicator key -> (what egov counts, said in the page's words; its one-query count).
REGISTRY = {
    RECEIVED: ("Số hồ sơ có thời điểm tiếp nhận trong kỳ, tính theo cơ quan tiếp nhận", received),
}


def computed(indicator, span, organisation, parts: Sequence = ()) -> tuple[int, dict[int, int]]:
    """egov's figure for a built-in ``indicator`` over ``span`` at the node and its parts."""
    return REGISTRY[indicator.key][1](*span, organisation, parts)


def _gap(reported: Decimal | None, computed: Decimal) -> dict:
    gap = None if reported is None else reported - computed
    percent = (
        (Decimal(100) * gap / computed).quantize(Decimal("0.1"))
        if gap is not None and computed
        else None
    )
    return {"reported": reported, "computed": computed, "gap": gap, "percent": percent}


def gap(reported: Decimal | None, value: int) -> dict:
    return _gap(reported, Decimal(value))


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
        "source": REGISTRY[indicator.key][0],
        "start": span[0].date(),
        "end": (span[1] - timedelta(days=1)).date(),
        "node": _gap(reported, Decimal(node)),
        "parts": [{"organisation": o, **_gap(value, Decimal(by_part[o.pk]))} for o, value in parts],
    }
