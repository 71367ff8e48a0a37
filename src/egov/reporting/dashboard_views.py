"""The command centre's pages: the dashboard of the nation or of one organisation, the
drill-down of one figure (nation -> provinces -> communes -> the approved report, who sent and
who approved it, its signed PDF), and the dashboard's exports (CSV, .xlsx, DHIS2 dataValueSets
JSON, SDMX-JSON).

Reads only the maintained aggregates (``dashboard``, ``figures``); the scope is figures.py's
rule, checked on every request. What a dashboard or drill-down shows is remembered in the
process under the reporting counters (freshness.FIGURES, OWN: bumped after the commit of any act
of this app, of the dossiers, payments or the tree): an unchanged page reads no aggregate, a
changed one is made afresh on the next load (issue 18 §7). ``?wall=1`` shows the page without
the frame and reloads it every few minutes (a meta refresh: a wall screen needs no JavaScript
and no one to press a key).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.accounts import policy
from egov.core import downloads, registry
from egov.core.error_pages import InvalidRequest, PageNotFound
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
# The dashboards as built (dashboard.build) with their rendered tables, keyed by the reporting
# counters (freshness.FIGURES, OWN), the regime, period, node and language: an unchanged
# dashboard reads no aggregate. Bounded like the tables it holds.
BOARDS_MEMO_SIZE = 16
# The drill-downs' data (figure, parts, trend, targets, cross-check, the node's approved
# report), small: a few hundred rows at most.
DRILLS_MEMO_SIZE = 256


_memo = freshness.Memo(SECTIONS_MEMO_SIZE)
_boards = freshness.Memo(BOARDS_MEMO_SIZE, freshness.BACKSTOP_SECONDS)
_drills = freshness.Memo(DRILLS_MEMO_SIZE, freshness.BACKSTOP_SECONDS)


def _refused(message: str) -> InvalidRequest:
    # Raised: the site's 400 page shows the reason.
    return InvalidRequest(message)


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


def _remembered(request, what: tuple, compute):
    """``compute(request)`` (a page's regimes, organisation...), remembered in this process
    until an act of this app or on the tree (freshness.FIGURES, OWN); Http404 is not."""
    key = ("lookup", *freshness.stamp(request, freshness.FIGURES, freshness.OWN), *what)
    found = _drills.get(key)
    if found is None:
        found = compute(request)
        _drills.put(key, found)
    return found


def _lookup(request, what: tuple[str, str], queryset):
    """The row of ``queryset`` whose code (an indicator: key) is ``what[1]``, else 404:
    each a query the remembered pages spared (issue 18 §7)."""
    field = "key" if queryset.model is Indicator else "code"
    return _remembered(request, what, lambda _r: get_object_or_404(queryset, **{field: what[1]}))


def _regime(request):
    code = request.GET.get("regime")
    regimes = ReportingRegime.objects.order_by("code")
    if code:
        # One query for the regime asked and the page's list of regimes.
        listed = list(regimes)
        found = next((r for r in listed if r.code == code), None)
        if found is None:
            raise PageNotFound(_("No such reporting regime."))
        return found, listed
    regime = regimes.filter(indicators__isnull=False).first()
    if regime is None:
        raise PageNotFound(_("No reporting regime has indicators yet."))
    return regime, list(regimes)


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
        organisation = _lookup(
            request, ("organisation", organisation), Organisation.objects.select_related("parent")
        )
    elif not national:
        # Not a national reader: their own organisation's dashboard, if they read one.
        held = [g for g in policy.grants(request) if g.scope == scopes.READ]
        if not held:
            raise PermissionDenied(_("You may not read the national figures."))
        mine = Organisation.objects.get(pk=held[0].organisation_id)
        return redirect("reporting:dashboard_of", organisation=mine.code)
    regime, regimes = _remembered(request, ("regimes", request.GET.get("regime")), _regime)
    try:
        year, number = _period(request, regime)
    except ValueError as exc:
        raise _refused(_("There is no such reporting period.")) from exc
    board = _board(request, regime, year, number, organisation, national)
    data = board.data
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
        raise _refused(_("Unknown export format."))
    return render(
        request,
        "reporting/dashboard.html",
        {
            **data,
            **_frame(request),
            "sections_html": board.html(request),
            "regimes": list(regimes),
            "tiles": _tiles(request) if organisation is None else [],
        },
    )


class _Board:
    """A dashboard as built, and its tables once rendered (shared by every reader of the node:
    the scope is checked before the memo is read)."""

    def __init__(self, data: dict):
        self.data = data
        self._html = None

    def html(self, request) -> str:
        if self._html is None:  # two threads may both render it: the same text
            self._html = _sections_html(request, self.data)
        return mark_safe(self._html)  # noqa: S308 - rendered by our template, escaped there


def _board(request, regime, year, number, organisation, national) -> _Board:
    """dashboard.build, remembered until an act of this app or in egov's own data
    (freshness.FIGURES, OWN) or freshness.BACKSTOP_SECONDS. The reader's right to the node is
    checked first, on every request."""
    dashboard.check_reader(request, organisation, national)
    key = (
        *freshness.stamp(request, freshness.FIGURES, freshness.OWN),
        translation.get_language(),
        regime.pk,
        year,
        number,
        organisation.pk if organisation is not None else None,
    )
    found = _boards.get(key)
    if found is None:
        found = _Board(
            dashboard.build(
                request,
                regime=regime,
                year=year,
                number=number,
                organisation=organisation,
                national=national,
            )
        )
        _boards.put(key, found)
    return found


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
    reading the aggregates takes tens of milliseconds. Called when a dashboard is built afresh
    (``_board``); the key is a digest of everything the tables show, so a board built again
    with the same figures (another process, a counter moved by an act that changed nothing
    shown) finds its tables in the shared cache."""
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
    regime = _lookup(request, ("regime", regime), ReportingRegime.objects.all())
    indicators = Indicator.objects.select_related("weight")
    indicator = _lookup(request, ("indicator", indicator), indicators)
    if not (2000 <= year <= 2099 and 1 <= number <= PER_YEAR.get(regime.periodicity, 1)):
        raise _refused(_("There is no such reporting period."))
    code = request.GET.get("organisation")
    organisation = (
        _lookup(request, ("organisation", code), Organisation.objects.select_related("parent"))
        if code
        else None
    )
    disaggregation = request.GET.get("disaggregation", "")[:120]
    # The reader's right to the node on every request (figures.py's rule); what is remembered
    # is the same for every reader, the parts filtered for this one below.
    national = figures.reads_nation(request)
    dashboard.check_reader(request, organisation, national)
    key = (
        *freshness.stamp(request, freshness.FIGURES, freshness.OWN),
        translation.get_language(),
        regime.pk,
        indicator.pk,
        year,
        number,
        organisation.pk if organisation is not None else None,
        disaggregation,
    )
    shown = _drills.get(key)
    if shown is None:
        shown = _drill_data(request, regime, indicator, year, number, organisation, disaggregation)
        _drills.put(key, shown)
    parts = figures.readable(request, shown["parts"], national)
    check = shown["check"]
    if check is not None:
        check = {
            **check,
            "parts": [
                row
                for row in check["parts"]
                if national or policy.can(request, scopes.READ, row["organisation"])
            ],
        }
    context = {
        **shown,
        **_frame(request),
        "parts": parts,
        "parts_sum": sum((p.value for p in parts if p.value is not None), start=0),
        "check": check,
        "national": national,
    }
    # The page's body, rendered once per content and the parts this reader sees (their
    # organisations are the key: a reader is never shown a body made with parts outside their
    # scope); the frame around it is the reader's own.
    seen = (
        tuple(p.organisation.pk for p in parts),
        tuple(row["organisation"].pk for row in check["parts"]) if check else None,
    )
    body_key = ("body", *key, context["wall"], seen)
    body = _drills.get(body_key)
    if body is None:
        body = render_to_string("reporting/_drill_body.html", context, request=request)
        _drills.put(body_key, body)
    return render(
        request,
        "reporting/drilldown.html",
        {**context, "body": mark_safe(body)},  # noqa: S308 - rendered by our template
    )


def _drill_data(request, regime, indicator, year, number, organisation, disaggregation) -> dict:
    """Everything the drill-down shows for any reader: the figure, every part one level down
    (their targets judged), its trend, the node's approved report with its signatures, and the
    cross-check of a built-in indicator for every organisation below."""
    result = figures.figure(
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
    judgement, has_targets = _judge(indicator, year, number, organisation, result)
    return {
        **result,
        "regime": regime,
        "indicator": indicator,
        "year": year,
        "number": number,
        "period": period_label(regime, year, number),
        # A broken-down formula's inputs are linked at the same breakdown (_formula.html).
        "disaggregation": disaggregation,
        "trend": trend,
        "check": _cross_check(regime, indicator, year, number, result, disaggregation),
        "judgement": judgement,
        "has_targets": has_targets,
        "up": _up(regime, indicator, year, number, organisation, disaggregation),
        "board_url": (
            reverse("reporting:dashboard_of", args=[organisation.code])
            if organisation
            else reverse("reporting:dashboard")
        )
        + f"?regime={regime.code}&year={year}&number={number}",
    }


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


def _cross_check(regime, indicator, year, number, result, disaggregation):
    """The reported figure beside egov's own count for a built-in indicator (builtin.py), at
    the node and for every organisation one level down, reported or not (a commune that
    reported nothing but received dossiers is a gap too); the caller keeps the parts the
    reader may read."""
    if disaggregation or not builtin.is_builtin(indicator):
        return None
    organisation = result["organisation"]
    below = Organisation.objects.filter(
        **({"parent": organisation} if organisation else {"parent__isnull": True})
    ).order_by("path")
    reported = {p.organisation.pk: p.value for p in result["parts"]}
    parts = [(o, reported.get(o.pk)) for o in below]
    return builtin.cross_check(
        regime=regime,
        indicator=indicator,
        year=year,
        number=number,
        organisation=organisation,
        reported=result["value"],
        parts=parts,
    )


def _up(regime, indicator, year, number, organisation, disaggregation="") -> str | None:
    """The figure one level up (the parent, or the nation) at the same breakdown, None at the
    nation."""
    if organisation is None:
        return None
    url = reverse("reporting:figure", args=[regime.code, indicator.key, year, number])
    query = {"organisation": organisation.parent.code} if organisation.parent else {}
    if disaggregation:
        query["disaggregation"] = disaggregation
    return f"{url}?{urlencode(query)}" if query else url
