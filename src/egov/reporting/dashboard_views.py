"""The command centre's pages: the dashboard of the nation or of one organisation, the
drill-down of one figure (nation -> provinces -> communes -> the approved report, who sent and
who approved it, its signed PDF), and the dashboard's exports (CSV, .xlsx, DHIS2 dataValueSets
JSON, SDMX-JSON).

Reads only the maintained aggregates (``dashboard``, ``figures``); the scope is figures.py's
rule. ``?wall=1`` shows the page without the frame and reloads it every few minutes (a meta
refresh: a wall screen needs no JavaScript and no one to press a key).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.accounts import policy
from egov.core import downloads, registry
from egov.core.models import Organisation

from . import builtin, dashboard, figures, freshness, scopes, sdmx
from . import targets as goals
from .models import (
    Aggregate,
    DataSignature,
    Indicator,
    ReportingRegime,
    SubmissionSignature,
)
from .periods import PER_YEAR
from .services import signing
from .services.xlsx import period_label
from .views import latest_period

WALL_REFRESH_S = 300
# The figures' tables as rendered, keyed by everything they show (see _sections_html): a stale
# entry cannot be served, only an unused one kept until it expires.
SECTIONS_CACHE_SECONDS = 3600
# In front of the shared cache, this process's last tables (the same keys, so never stale either):
# reading a national dashboard's tables from the database cache cost a query and ~12 ms of a
# ~80 ms request on the full bench database (issue 18 §7). Bounded: each entry is a whole
# rendered page part (~200 KB for 200 indicators).
SECTIONS_MEMO_SIZE = 16


_memo = freshness.Memo(SECTIONS_MEMO_SIZE)


def _refused(request, message: str):
    return render(request, "core/bad_input.html", {"message": message}, status=400)


def _period(request, regime) -> tuple[int, int]:
    """The period asked (?year=&number=), else the regime's last closed one. ValueError on
    a number that is not a period of the regime."""
    year, number = latest_period(regime, timezone.localdate())
    raw_year, raw_number = request.GET.get("year"), request.GET.get("number")
    if raw_year or raw_number:
        year = int(raw_year or year)
        number = int(raw_number or 1)
        top = PER_YEAR.get(regime.periodicity, 1)
        if not (2000 <= year <= 2099 and 1 <= number <= top):
            raise ValueError(number)
    return year, number


def _regime(request):
    code = request.GET.get("regime")
    regimes = ReportingRegime.objects.order_by("code")
    if code:
        return get_object_or_404(regimes, code=code), regimes
    regime = regimes.filter(indicators__isnull=False).first()
    if regime is None:
        raise Http404("No reporting regime.")
    return regime, regimes


def _frame(request) -> dict:
    wall = request.GET.get("wall") == "1"
    return {
        "base": "reporting/wall.html" if wall else "base.html",
        "wall": wall,
        "refresh": WALL_REFRESH_S,
    }


@login_required
@require_GET
def board(request, organisation=None):
    """The dashboard; ?format=csv, xlsx, dhis2 (dataValueSets) or sdmx (SDMX-JSON) exports
    its figures."""
    national = figures.reads_nation(request)
    if organisation is not None:
        organisation = get_object_or_404(Organisation, code=organisation)
    elif not national:
        # Not a national reader: their own organisation's dashboard, if they read one.
        held = [g for g in policy.grants(request) if g.scope == scopes.READ]
        if not held:
            raise PermissionDenied(_("You may not read the national figures."))
        mine = Organisation.objects.get(pk=held[0].organisation_id)
        return redirect("reporting:dashboard_of", organisation=mine.code)
    regime, regimes = _regime(request)
    try:
        year, number = _period(request, regime)
    except ValueError:
        return _refused(request, _("There is no such reporting period."))
    data = dashboard.build(
        request,
        regime=regime,
        year=year,
        number=number,
        organisation=organisation,
        national=national,
    )
    kind = request.GET.get("format")
    if kind == "csv":
        return _csv(data)
    if kind == "dhis2":
        return _dhis2(data)
    if kind == "xlsx":
        return _xlsx(data)
    if kind == "sdmx":
        return _sdmx(data)
    if kind:
        return _refused(request, _("Unknown export format."))
    return render(
        request,
        "reporting/dashboard.html",
        {
            **data,
            **_frame(request),
            "sections_html": _sections_html(request, data),
            "regimes": list(regimes),
            "tiles": _tiles(request) if organisation is None else [],
        },
    )


def _line_key(line) -> tuple:
    """What a line shows: the indicator's name, unit and key, and every other field of the
    line (a field added to ``dashboard.Line`` is part of the key without changing this)."""
    indicator = line.indicator
    shown = (indicator.pk, indicator.key, indicator.name, indicator.unit)
    return shown + tuple(
        _shown(getattr(line, f.name)) for f in dataclasses.fields(line) if f.name != "indicator"
    )


def _shown(value):
    """A judgement shows its state and its target in words: the target row's repr names neither
    bound, so a changed bound would keep the old key."""
    if isinstance(value, goals.Judgement):
        return (value.state, value.aim)
    return value


def _sections_html(request, data) -> str:
    """The figures' tables (``_sections.html``), rendered once per content and language.

    Rendering 200 indicators (each with its change, sparkline and a table of its trend: about
    600 KB) took ~1.3 s of a 2.9 s national dashboard in process (issue 18 §7, cProfile), where
    reading the aggregates takes tens of milliseconds. The figures are still read on every
    request, and the key is a digest of everything the tables show, so an approval that moves a
    figure makes a new key on the next page load: live, never stale."""
    where = data["organisation"]
    material = repr(
        (
            translation.get_language(),
            data["regime"].code,
            data["year"],
            data["number"],
            where.code if where else None,
            data["period"],
            data["previous_label"],
            data["last_year_label"],
            [(s.code, s.name, [_line_key(line) for line in s.lines]) for s in data["sections"]],
        )
    )
    key = "reporting:sections:" + hashlib.sha256(material.encode()).hexdigest()
    html = _memo.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = render_to_string("reporting/_sections.html", data, request=request)
            cache.set(key, html, SECTIONS_CACHE_SECONDS)
        _memo.put(key, html)
    return mark_safe(html)  # noqa: S308 - rendered by our template, escaped there


def _tiles(request) -> list[str]:
    """The tiles other apps registered (egov.core.registry.command_tile), rendered: the
    Government's dashboard shows the current figures of the tasks it assigns beside the
    reported indicators, without this app importing them. Remembered per reader, day and
    language until an audited change outside this app (freshness.TILES)."""
    key = ("tiles", request.user.pk, timezone.localdate(), translation.get_language())
    return freshness.remembered(request, freshness.TILES, key, lambda: _render_tiles(request))


def _render_tiles(request) -> list[str]:
    tiles = []
    for tile in registry.command_tiles():
        context = tile.build(request)
        if context is not None:
            tiles.append(render_to_string(tile.template, context, request=request))
    return tiles


def _name(data) -> str:
    where = data["organisation"].code if data["organisation"] else "VN"
    return f"{data['regime'].code}-{where}-{data['year']}-{data['number']}"


def _csv(data) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = downloads.content_disposition(f"{_name(data)}.csv")
    response.write("\ufeff")  # Excel reads UTF-8 (Vietnamese names) only with the BOM
    csv.writer(response).writerows(dashboard.csv_rows(data))
    return response


def _xlsx(data) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(data["regime"].code[:31])
    rows = dashboard.csv_rows(data)
    sheet.append(rows[0])
    for row in rows[1:]:
        # The figures as numbers (a spreadsheet sums them), the rest as text.
        sheet.append(row[:7] + [Decimal(v) if v else None for v in row[7:]])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = downloads.content_disposition(f"{_name(data)}.xlsx")
    return response


def _dhis2(data) -> HttpResponse:
    response = HttpResponse(
        json.dumps(dashboard.data_value_set(data), ensure_ascii=False, indent=1),
        content_type="application/json",
    )
    response["Content-Disposition"] = downloads.content_disposition(f"{_name(data)}.json")
    return response


def _sdmx(data) -> HttpResponse:
    response = HttpResponse(
        json.dumps(sdmx.message(data), ensure_ascii=False, indent=1),
        content_type="application/json",
    )
    name = f"{_name(data)}.sdmx.json"
    response["Content-Disposition"] = downloads.content_disposition(name)
    return response


@login_required
@require_GET
def drill(request, regime, indicator, year, number):
    """One figure at the nation (no ?organisation=) or one organisation, its parts one level
    down, its trend, and the organisation's own approved report."""
    regime = get_object_or_404(ReportingRegime, code=regime)
    indicator = get_object_or_404(Indicator.objects.select_related("weight"), key=indicator)
    if not (2000 <= year <= 2099 and 1 <= number <= PER_YEAR.get(regime.periodicity, 1)):
        return _refused(request, _("There is no such reporting period."))
    code = request.GET.get("organisation")
    organisation = (
        get_object_or_404(Organisation.objects.select_related("parent"), code=code)
        if code
        else None
    )
    disaggregation = request.GET.get("disaggregation", "")[:120]
    result = figures.drilldown(
        request,
        regime=regime,
        indicator=indicator,
        year=year,
        number=number,
        organisation=organisation,
        disaggregation=disaggregation,
    )
    own = result["own"]
    # The signed PDF and the signed data (XML) of the version and revision approved: one query
    # each for every source.
    sources = {o["submission"].pk: o["submission"] for o in own}
    signed = signing.current_signatures(sources, SubmissionSignature)
    signed_data = signing.current_signatures(sources, DataSignature)
    for o in own:
        o["signature"] = signed.get(o["submission"].pk)
        o["data_signature"] = signed_data.get(o["submission"].pk)
    periods = dashboard.trend_periods(regime, year, number)
    rows = {
        (a.year, a.number): a
        for a in Aggregate.objects.filter(
            regime=regime,
            indicator=indicator,
            organisation=organisation,
            disaggregation=disaggregation,
            year__in={y for y, _n in periods},
        )
        if (a.year, a.number) in set(periods)
    }
    trend = [
        (period_label(regime, y, n), figures.value_of(rows.get((y, n)), indicator))
        for y, n in periods
    ]
    if result["formula"] is not None:  # computed from its inputs' rows, not its own
        values = figures.formula_trend(regime, indicator, organisation, disaggregation, periods)
        trend = [(label, v) for (label, _v), v in zip(trend, values, strict=True)]
    parts_sum = sum((p.value for p in result["parts"] if p.value is not None), start=0)
    judgement, has_targets = _judge(indicator, year, number, organisation, result)
    check = _cross_check(request, regime, indicator, year, number, result, disaggregation)
    return render(
        request,
        "reporting/drilldown.html",
        {
            **result,
            **_frame(request),
            "regime": regime,
            "indicator": indicator,
            "year": year,
            "number": number,
            "period": period_label(regime, year, number),
            "trend": trend,
            "parts_sum": parts_sum,
            "check": check,
            "judgement": judgement,
            "has_targets": has_targets,
            "up": _up(regime, indicator, year, number, organisation),
            "board_url": (
                reverse("reporting:dashboard_of", args=[organisation.code])
                if organisation
                else reverse("reporting:dashboard")
            )
            + f"?regime={regime.code}&year={year}&number={number}",
        },
    )


def _judge(indicator, year, number, organisation, result):
    """The node's figure and each part's against their targets (one query for all of them);
    each part carries its ``judgement``, None where no target is set. With whether any
    target applies here (the parts' column is shown only then)."""
    parts = result["parts"]
    set_targets = goals.applicable(
        [indicator], [organisation, *(p.organisation for p in parts)], year, number
    )
    for p in parts:
        target = goals.pick(set_targets, indicator, p.organisation, year, number)
        p.judgement = goals.judge(target, p.value)
    target = goals.pick(set_targets, indicator, organisation, year, number)
    return goals.judge(target, result["value"]), bool(set_targets)


def _cross_check(request, regime, indicator, year, number, result, disaggregation):
    """The reported figure beside egov's own count for a built-in indicator (builtin.py), at
    the node and for every organisation one level down the reader may read, reported or not
    (a commune that reported nothing but received dossiers is a gap too)."""
    if disaggregation or not builtin.is_builtin(indicator):
        return None
    organisation = result["organisation"]
    below = Organisation.objects.filter(
        **({"parent": organisation} if organisation else {"parent__isnull": True})
    ).order_by("path")
    national = result["national"]
    reported = {p.organisation.pk: p.value for p in result["parts"]}
    parts = [
        (o, reported.get(o.pk))
        for o in below
        if national or policy.can(request.user, scopes.READ, o)
    ]
    return builtin.cross_check(
        regime=regime,
        indicator=indicator,
        year=year,
        number=number,
        organisation=organisation,
        reported=result["value"],
        parts=parts,
    )


def _up(regime, indicator, year, number, organisation) -> str | None:
    """The figure one level up (the parent, or the nation), None at the nation."""
    if organisation is None:
        return None
    url = reverse("reporting:figure", args=[regime.code, indicator.key, year, number])
    parent = organisation.parent
    return f"{url}?organisation={parent.code}" if parent else url
