"""The citizen portal's pages: home with search, results with filters, procedure pages, the
application form, listings by sector and by agency. Server-rendered; no page needs JavaScript.

Views only read: the catalogue through its models and egov.catalog.search; the application form
is validated here and not submitted (submission comes with the one-stop-shop release).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from egov.catalog.models import (
    Channel,
    ChannelKind,
    OnlineLevel,
    Procedure,
    ProcedureStatus,
    ProcedureVersion,
    RequiredDocument,
    Sector,
)
from egov.catalog.results import catalogue_version, ranked_ids, remembered_page
from egov.catalog.search import search as search_procedures
from egov.core.error_pages import PageNotFound
from egov.core.models import Organisation
from egov.core.models.organisations import Level
from egov.dossiers.application.form import ApplicationForm
from egov.dossiers.application.page import application_schema

PAGE_SIZE = 20
# Levels a procedure can be done at, in the order of the filter.
LEVELS = [Level.CENTRAL, Level.PROVINCE, Level.COMMUNE]


def _active():
    return Procedure.objects.filter(status=ProcedureStatus.ACTIVE)


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    # Sectors of the shown procedures in one query (no N+1 in the list).
    page.object_list = list(page.object_list.prefetch_related("sectors"))
    return page


def _page_of_ids(request, ids: list[int]):
    """A page of ranked ids (egov.catalog.results): only its procedures are read, in order."""
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = Procedure.objects.filter(pk__in=page.object_list).prefetch_related("sectors")
    by_id = {procedure.pk: procedure for procedure in shown}
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return page


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# Derived data of the catalogue (filter lists, home page figures), kept in this process until the
# catalogue changes. Not Django's cache: in production that is the database, and reading and
# unpickling the lists from it on every page cost more than the page itself.
_MEMO: dict[str, tuple[str, object]] = {}


def _cached(name: str, version: str, compute):
    hit = _MEMO.get(name)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    _MEMO[name] = (version, value)
    return value


def _filter_choices(version: str) -> dict:
    def compute():
        sectors = list(
            Sector.objects.filter(procedures__status=ProcedureStatus.ACTIVE)
            .distinct()
            .order_by("name")
            .values_list("code", "name")
        )
        agencies = [(a.code, a.name) for a in _agencies_with_procedures()]
        # The <option>s, escaped once per catalogue version: building ~330 of them on every
        # results page was its largest cost in Python once the results were remembered.
        return {"sectors": _options_html(sectors), "agencies": _options_html(agencies)}

    return _cached("filters", version, compute)


def _options_html(choices) -> str:
    return format_html_join("", '<option value="{}">{}</option>', choices)


def _options(html: str, selected: str):
    """The filter's <option>s with ``selected`` marked (an escaped value is matched whole)."""
    if selected:
        chosen = format_html('<option value="{}">', selected)
        html = html.replace(chosen, chosen[:-1] + " selected>", 1)
    return mark_safe(html)  # noqa: S308 - built by format_html_join, then one escaped value


def _agencies_with_procedures():
    return (
        Organisation.objects.filter(procedures__status=ProcedureStatus.ACTIVE)
        .annotate(procedure_count=Count("procedures", distinct=True))
        .order_by("level", "name")
    )


@require_GET
def home(request):
    def compute():
        return {
            "popular_sectors": list(
                Sector.objects.filter(procedures__status=ProcedureStatus.ACTIVE)
                .annotate(procedure_count=Count("procedures"))
                .order_by("-procedure_count", "name")
                .values("code", "name", "procedure_count")[:12]
            ),
            "procedure_count": _active().count(),
            "online_count": _active().filter(online_level=OnlineLevel.FULL).count(),
        }

    return render(
        request,
        "portal/home.html",
        {
            **_cached("home", catalogue_version(), compute),
            "examples": ["đăng ký khai sinh", "cấp hộ chiếu", "đăng ký thường trú"],
        },
    )


@require_GET
def search(request):
    q = request.GET.get("q", "").strip()[:200]
    filters = {
        key: request.GET.get(key, "").strip()
        for key in ("sector", "level", "agency", "online_level")
    }
    if filters["level"] not in {str(level) for level in LEVELS}:
        filters["level"] = ""
    if filters["online_level"] not in OnlineLevel.values:
        filters["online_level"] = ""
    searched = bool(q or any(filters.values()))

    def results_html() -> str:
        page = _page_of_ids(request, ranked_ids(q, **filters))
        return render_to_string(
            "portal/_search_results.html",
            {"page": page, "total": page.paginator.count, "searched": searched},
            request,
        )

    # The results section depends on the catalogue, the language and the query string alone
    # (its pagination links repeat the other parameters): rendered once per process until the
    # catalogue changes (egov.catalog.results.remembered_page).
    key = (
        "portal.search",
        get_language(),
        tuple(sorted((name, tuple(values)) for name, values in request.GET.lists())),
    )
    choices = _filter_choices(catalogue_version())
    return render(
        request,
        "portal/search.html",
        {
            "q": q,
            "filters": filters,
            "results_html": mark_safe(remembered_page(key, results_html)),  # noqa: S308 - rendered
            "sector_options": _options(choices["sectors"], filters["sector"]),
            "agency_options": _options(choices["agencies"], filters["agency"]),
            "levels": [(str(level), level.label) for level in LEVELS],
            "online_levels": OnlineLevel.choices,
        },
    )


def _procedure_and_version(code: str):
    procedure = get_object_or_404(_active().select_related("current_version"), code=code)
    version = procedure.current_version
    if version is None:
        # Information-only records, or nothing published yet: the newest version, if any.
        version = procedure.versions.order_by("-number").first()
    return procedure, version


@require_GET
def procedure(request, code):
    procedure, version = _procedure_and_version(code)
    if version is not None:
        version = (
            ProcedureVersion.objects.filter(pk=version.pk)
            .select_related("publishing_agency")
            .prefetch_related(
                "sectors",
                "implementing_agencies",
                Prefetch("channels", queryset=Channel.objects.prefetch_related("fees")),
                Prefetch(
                    "required_documents",
                    queryset=RequiredDocument.objects.prefetch_related("form_templates"),
                ),
            )
            .get()
        )
    return render(
        request,
        "portal/procedure.html",
        {
            "procedure": procedure,
            "version": version,
            "sectors": version.sectors.all() if version else procedure.sectors.all(),
            "levels": _level_labels(version.levels if version else procedure.levels.split()),
            "can_apply": bool(version and version.application_form),
            "can_submit": bool(
                version and any(c.kind == ChannelKind.ONLINE for c in version.channels.all())
            ),
        },
    )


def _level_labels(levels) -> list[str]:
    labels = dict(Level.choices)
    return [labels.get(level, level) for level in levels]


@require_http_methods(["GET", "POST"])
def apply(request, code):
    procedure, version = _procedure_and_version(code)
    if version is None or not version.application_form:
        raise PageNotFound(_("This procedure has no online application form."))
    posted = request.method == "POST"
    # The documents are given at submission (their own list): not asked again in the form.
    schema, _required = application_schema(version)
    form = ApplicationForm(
        schema,
        data=request.POST if posted else None,
        files=request.FILES if posted else None,
    )
    accepted = posted and form.is_valid()
    return render(
        request,
        "portal/apply.html",
        {
            "procedure": procedure,
            "version": version,
            "form": form,
            "accepted": accepted,
            "can_submit": version.channels.filter(kind=ChannelKind.ONLINE).exists(),
        },
        status=400 if posted and not accepted and not form.refresh else 200,
    )


@require_GET
def sectors(request):
    rows = (
        Sector.objects.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__status=ProcedureStatus.ACTIVE))
        )
        .filter(procedure_count__gt=0)
        .order_by("name")
    )
    return render(request, "portal/sectors.html", {"sectors": rows})


@require_GET
def sector(request, code):
    sector = get_object_or_404(Sector, code=code)
    page = _page(request, search_procedures("", sector=sector))
    return render(
        request,
        "portal/listing.html",
        {
            "title": sector.name,
            "kind": "sector",
            "page": page,
            "total": page.paginator.count,
            "search_params": {"sector": sector.code},
            "querystring": _query_without_page(request),
        },
    )


@require_GET
def agencies(request):
    return render(request, "portal/agencies.html", {"agencies": _agencies_with_procedures()})


@require_GET
def agency(request, code):
    organisation = (
        Organisation.objects.filter(code=code)
        .order_by(F("valid_to").desc(nulls_first=True))
        .first()
    )
    if organisation is None:
        raise PageNotFound(_("No agency has this code."))
    page = _page(request, search_procedures("", agency=organisation))
    return render(
        request,
        "portal/listing.html",
        {
            "title": organisation.name,
            "kind": "agency",
            "page": page,
            "total": page.paginator.count,
            "search_params": {"agency": organisation.code},
            "querystring": _query_without_page(request),
        },
    )
