"""The index's pages: the public ranking, an organisation's page, an indicator's drill-down,
their .xlsx, and the audited recompute of a frozen month. Every page works without JavaScript:
charts are drawn over their data tables when scripts run (core/charts.js)."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.core.downloads import content_disposition
from egov.core.error_pages import InvalidRequest
from egov.core.models import Organisation
from egov.core.models.organisations import Level

from . import access, engine, exports
from .models import IndexIndicator, Snapshot
from .periods import MONTH, Period
from .presenting import LISTINGS, Line, group_name
from .services import snapshots


class KnownCount(Paginator):
    """A paginator told its count (the indicator's figure) instead of counting the rows."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
TREND_MONTHS = 12


def _period(request) -> Period:
    text = request.GET.get("period", "")
    return Period.parse(text) if text else Period.current_month()


def _recent_periods(current: Period) -> list[Period]:
    """The picker's choices: the last twelve months, the last four quarters, the last years."""
    today = Period.current_month()
    months, year, month = [], today.year, today.number
    for _i in range(12):
        months.append(Period(MONTH, year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    quarter = (today.number - 1) // 3 + 1
    quarters, year = [], today.year
    for _i in range(4):
        quarters.append(Period("quarter", year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    years = [Period("year", today.year - n, 1) for n in range(3)]
    choices = months + quarters + years
    return choices if current in choices else [current, *choices]


def _bad_period(exc) -> InvalidRequest:
    # Raised: the site's 400 page shows the reason.
    return InvalidRequest(" ".join(exc.messages))


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(name)
    return response


def ranking(request):
    try:
        period = _period(request)
    except ValidationError as exc:
        raise _bad_period(exc) from exc
    if request.GET.get("format") == "xlsx":
        cards = engine.scorecards(period)
        return _xlsx(exports.ranking(cards, period), f"chi-so-766-{period.slug}.xlsx")
    # The tables and charts are cached with the versions of every ranked organisation's
    # sources (as the figures are): one cache read gives both, and until one moves a load
    # renders only the frame around them.
    organisations = list(engine.ranked_organisations())
    key = f"serviceindex:ranking:{period.slug}:{get_language()}"
    found, cached = engine.sources.tokens_with([o.pk for o in organisations], [key])
    token = engine.ranking_token(found)
    cached = cached.get(key)
    if cached is not None and cached[0] == token:
        body = cached[1]
    else:
        body = render_to_string("serviceindex/_ranking_body.html", _ranking_body(period), request)
        cache.set(key, (token, body), engine.CACHE_SECONDS)
    context = {"period": period, "periods": _recent_periods(period), "body": mark_safe(body)}  # noqa: S308 - rendered by our template
    return render(request, "serviceindex/ranking.html", context)


def _ranking_body(period) -> dict:
    cards = engine.scorecards(period)
    ministries = [c for c in cards if c.organisation.level == Level.CENTRAL]
    provinces = [c for c in cards if c.organisation.level != Level.CENTRAL]
    groups = [group_name(g.group) for g in cards[0].groups] if cards else []
    charts = []
    for index, name in enumerate(groups):
        for title, chosen in ((_("Ministries"), ministries), (_("Provinces"), provinces)):
            rows = sorted(
                ((c.organisation, c.groups[index].score) for c in chosen),
                key=lambda r: (r[1] is None, -(r[1] or 0)),
            )
            if rows:
                charts.append(
                    {
                        "title": f"{name}: {title.lower()}",
                        "maximum": cards[0].groups[index].maximum,
                        "rows": rows,
                    }
                )
    return {
        "period": period,
        "tables": [(_("Ministries"), ministries), (_("Provinces"), provinces)],
        "groups": groups,
        "charts": charts,
        "snapshot": cards[0].snapshot if cards else None,
        "version": cards[0].version if cards else None,
    }


def _trend(organisation, period):
    """The organisation's total over the twelve months up to ``period`` (frozen where frozen)."""
    last = period.months()[-1]
    months, year, month = [], last.year, last.number
    for _i in range(TREND_MONTHS):
        months.append(Period(MONTH, year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    # A ministry's or province's closed months come from their snapshots (egov
    # serviceindex-freeze, monthly); one not frozen yet is left out rather than computed over
    # the whole province here (seconds per month on a million dossiers). Smaller subtrees and
    # the current month are computed (and cached until the next change).
    ranked = organisation.parent_id is None
    frozen = set(
        Snapshot.objects.filter(month__in=[p.first_day for p in months]).values_list(
            "month", flat=True
        )
    )
    trend = []
    for p in reversed(months):
        if ranked and p.is_closed and p.first_day not in frozen:
            trend.append((p, None))
        else:
            trend.append((p, engine.scorecard(organisation, p).total))
    return trend


def organisation(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        period = _period(request)
    except ValidationError as exc:
        raise _bad_period(exc) from exc
    card = engine.scorecard(organisation, period)
    groups = [
        {
            "name": group_name(g.group),
            "maximum": g.maximum,
            "score": g.score,
            "rebased": g.rebased,
            "lines": [Line.of(line) for line in g.lines],
        }
        for g in card.groups
    ]
    return render(
        request,
        "serviceindex/organisation.html",
        {
            "organisation": organisation,
            "period": period,
            "periods": _recent_periods(period),
            "card": card,
            "groups": groups,
            "trend": _trend(organisation, period),
            "may_recompute": card.snapshot is not None and access.may_recompute(request),
        },
    )


def _trace(request, pk, code):
    organisation = get_object_or_404(Organisation, pk=pk)
    period = _period(request)
    version = engine.frozen(period)
    version = version.version if version else engine.version_for(period)
    indicator = get_object_or_404(
        IndexIndicator.objects.select_related("group"), group__version=version, code=code
    )
    return organisation, period, engine.trace(organisation, period, indicator)


def drilldown(request, pk, code):
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        period = _period(request)
    except ValidationError as exc:
        raise _bad_period(exc) from exc
    # The figures and the page of rows are cached (per page and per "may see the dossiers
    # here" answer) with the versions of the sources they were made from: one cache read gives
    # both, and a page whose versions moved is made again.
    personal = access.may_list_personal(request, organisation)
    vary = [code, period.slug, request.GET.get("npage", ""), request.GET.get("dpage", "")]
    key = f"serviceindex:drill:{organisation.pk}:{':'.join(vary)}:{personal}:{get_language()}"
    token, found = engine.sources.token_and(organisation, [key])
    cached = found.get(key)
    if cached is not None and cached[0] == token:
        body = cached[1]
    else:
        body = render_to_string(
            "serviceindex/_drilldown_body.html", _drilldown_body(request, pk, code), request
        )
        cache.set(key, (token, body), engine.CACHE_SECONDS)
    context = {"organisation": organisation, "period": period, "body": mark_safe(body)}  # noqa: S308 - rendered by our template
    return render(request, "serviceindex/drilldown.html", context)


def _drilldown_body(request, pk, code) -> dict:
    organisation, period, trace = _trace(request, pk, code)
    listing = LISTINGS.get(trace.model)
    allowed = trace.model is not None and access.may_list(request, organisation, trace.model)
    lists = []
    figure = trace.line.figure
    if allowed and figure.denominator is not None:
        # The counts are the figures already computed: the pages do not count the rows again.
        counted = (
            figure.denominator if trace.line.indicator.measure == "average" else figure.numerator
        )
        for title, qs, param, total in (
            (trace.line.indicator.numerator_label, trace.numerator, "npage", counted),
            (
                trace.line.indicator.denominator_label,
                trace.denominator,
                "dpage",
                figure.denominator,
            ),
        ):
            qs = qs.select_related(*listing.related).order_by(trace.order, "pk")
            page = KnownCount(qs, PAGE_SIZE, int(total)).get_page(request.GET.get(param))
            lists.append(
                {
                    "title": title,
                    "page": page,
                    "param": param,
                    "rows": [listing.row(obj) for obj in page],
                }
            )
    return {
        "organisation": organisation,
        "period": period,
        "line": Line.of(trace.line),
        "snapshot": trace.snapshot,
        "listing": listing,
        "allowed": allowed,
        "lists": lists,
    }


def drilldown_xlsx(request, pk, code):
    try:
        organisation, period, trace = _trace(request, pk, code)
    except ValidationError as exc:
        raise _bad_period(exc) from exc
    if trace.model is not None and not access.may_list(request, organisation, trace.model):
        raise PermissionDenied(_("You may not see the dossiers or petitions counted here."))
    name = f"chi-so-766-{trace.indicator.code}-{organisation.code}-{period.slug}.xlsx"
    return _xlsx(exports.counted(trace, organisation, period), name)


@require_POST
def recompute(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not access.may_recompute(request):
        raise PermissionDenied(_("You may not recompute a frozen month."))
    back = reverse("serviceindex:organisation", args=[organisation.pk])
    try:
        period = Period.parse(request.POST.get("period", ""))
        snapshots.recompute(period, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        raise _bad_period(exc) from exc
    messages.success(request, _("The frozen month was recomputed."))
    return redirect(f"{back}?period={period.slug}")
