"""The pages: the tasks list (the Government Office sees what it assigned, a ministry or
province what it leads or coordinates), one task with the acts the act table allows this
official now, assigning a task, and the report (four categories for every organisation) with
the monthly exports. Every act is a POST to one view calling the act's service; a refusal answers
4xx with the reason and changes nothing. No JavaScript needed."""

from __future__ import annotations

import hashlib
from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.assignments import monthly, reports, scopes, services
from egov.assignments import status as task_status
from egov.assignments.access import can_read, visible
from egov.assignments.acts import BY_SLUG, allowed_acts
from egov.assignments.forms import ActForm, AssignmentForm, leads_queryset
from egov.assignments.models import Assignment, Origin, ReportFile
from egov.assignments.services import incoming
from egov.core.error_pages import PageNotFound
from egov.core.models import Organisation
from egov.core.web import error_messages
from egov.dossiers.services.files import Upload
from egov.dossiers.web import file_response

PAGE_SIZE = 50
# How long an unchanged report stays cached (any change of a task makes a new key anyway).
REPORT_CACHE_SECONDS = 600


def _office_or_none():
    try:
        return services.government_office()
    except ValidationError:
        return None


@official_required
@require_GET
def task_list(request):
    today = timezone.localdate()
    qs = visible(request).select_related("lead").annotate(cat=task_status.category_case(today))
    cat = request.GET.get("category", "")
    if cat in task_status.Category.values:
        qs = qs.filter(task_status.category_q(cat, today))
    elif cat == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    lead = request.GET.get("lead", "")
    if lead.isdigit():
        qs = qs.filter(lead_id=int(lead))
    if request.GET.get("key") == "1":
        qs = qs.filter(is_key=True)
    page = Paginator(qs.order_by("due_on", "-assigned_on", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    office = _office_or_none()
    return render(
        request,
        "assignments/list.html",
        {
            "page": page,
            "categories": task_status.Category.choices,
            "category": cat,
            "leads": leads_queryset(),
            "lead": lead,
            "key": request.GET.get("key") == "1",
            "may_assign": office is not None and policy.can(request, scopes.MANAGE, office),
        },
    )


def _visible(request, pk) -> Assignment:
    task = (
        Assignment.objects.select_related("lead", "assigner", "responsible__user")
        .prefetch_related("coordinators", "reports__documents", "reports__files", "extensions")
        .filter(pk=pk)
        .first()
    )
    # One page for a task that does not exist and one not the reader's.
    if task is None or not can_read(request, task):
        raise PageNotFound(_("No task you may see has this number."))
    return task


@official_required
@require_GET
def report_file(request, pk):
    """A file of a report, to those who read its task (404 to others: ids are sequential)."""
    row = (
        ReportFile.objects.select_related(
            "report__assignment__lead", "report__assignment__assigner"
        )
        .filter(pk=pk)
        .first()
    )
    if row is None or not can_read(request, row.report.assignment):
        raise PageNotFound(_("No file you may see has this number."))
    return file_response(row.file, row.name, row.content_type)


def _page(request, task, *, errors=(), form_act="", form=None, status=200):
    acts = allowed_acts(task, request)
    forms = {
        a.name: (form if a.name == form_act and form is not None else ActForm(fields=a.fields))
        for a in acts
    }
    today = timezone.localdate()
    return render(
        request,
        "assignments/detail.html",
        {
            "task": task,
            "category": task_status.of(task, today),
            "category_original": task_status.of(task, today, task_status.ORIGINAL),
            "acts": [(a, forms[a.name]) for a in acts],
            "errors": errors,
        },
        status=status,
    )


@official_required
@require_GET
def detail(request, pk):
    return _page(request, _visible(request, pk))


def _doc(number, day):
    number = (number or "").strip()
    return services.DocumentRef(number, day) if number else None


@official_required
@require_POST
def act(request, pk, act):
    task = _visible(request, pk)
    spec = BY_SLUG.get(act)
    if spec is None:
        raise PageNotFound(_("No such act."))
    form = ActForm(request.POST, fields=spec.fields)
    if not form.is_valid():
        errors = error_messages(ValidationError(form.errors))
        return _page(request, task, errors=errors, form_act=spec.name, form=form, status=400)
    data = form.cleaned_data
    kwargs = {}
    for field in ("text", "reason", "decision", "new_deadline", "note"):
        if field in spec.fields:
            kwargs[field] = data.get(field)
    if "result" in spec.fields:
        kwargs["result"] = _doc(data.get("result_number"), data.get("result_date"))
    if "documents" in spec.fields:
        attached = _doc(data.get("document_number"), data.get("document_date"))
        kwargs["documents"] = [attached] if attached else []
    if spec.takes_files:
        kwargs["files"] = [Upload.from_file(f) for f in request.FILES.getlist("files")]
    try:
        services.ACT_FUNCTIONS[spec.name](request, task, **kwargs)
    except PermissionDenied as exc:
        return _page(request, task, errors=[str(exc)], status=403)
    except ValidationError as exc:
        return _page(
            request, task, errors=error_messages(exc), form_act=spec.name, form=form, status=400
        )
    messages.success(request, _("%(act)s: done.") % {"act": spec.done})
    return redirect("assignments:detail", task.pk)


@official_required
@require_http_methods(["GET", "POST"])
def create(request):
    office = _office_or_none()
    if office is None or not policy.can(request, scopes.MANAGE, office):
        raise PermissionDenied(_("Only the Government Office can assign tasks."))
    # Received documents offered by their number, date and sender: the latest hundred, and the
    # one asked for (?delivery=ID, or posted) if this official reads it.
    received = incoming.received(request, office)
    asked = request.POST.get("delivery") or request.GET.get("delivery") or ""
    latest = list(received.values_list("pk", flat=True)[:100])
    if asked.isdigit():
        latest.append(int(asked))
    form = AssignmentForm(
        request.POST or None,
        office=office,
        deliveries=received.filter(pk__in=latest),
        initial={"delivery": asked} if asked.isdigit() else None,
    )
    errors = []
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["delivery"] is not None:
            v = form.cleaned_data
            try:
                task = incoming.create_from_incoming(
                    request,
                    v["delivery"],
                    content=v["content"],
                    lead=v["lead"],
                    coordinators=v["coordinators"],
                    deadline=v["deadline"],
                    deadline_kind=v["deadline_kind"],
                    responsible=v["responsible"],
                    is_key=v["is_key"],
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, _("The task is assigned."))
                return redirect("assignments:detail", task.pk)
        elif form.is_valid():
            v = form.cleaned_data
            if v["exchange_document"] is not None:
                document = services.from_exchange(v["exchange_document"])
            else:
                document = services.SourceDocument(
                    v["source_number"], v["source_date"], v["source_type"], v["source_signer"]
                )
            try:
                if document.date is None:
                    raise ValidationError({"source_date": [_("Give the source document's date.")]})
                task = services.create_assignment(
                    request,
                    document=document,
                    content=v["content"],
                    lead=v["lead"],
                    coordinators=v["coordinators"],
                    deadline=v["deadline"],
                    deadline_kind=v["deadline_kind"],
                    responsible=v["responsible"],
                    is_key=v["is_key"],
                    source=v["origin"],
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, _("The task is assigned."))
                return redirect("assignments:detail", task.pk)
        else:
            errors = error_messages(ValidationError(form.errors))
    return render(
        request,
        "assignments/new.html",
        {"form": form, "errors": errors},
        status=400 if errors else 200,
    )


def _basis(request) -> str:
    basis = request.GET.get("basis", task_status.CURRENT)
    return basis if basis in task_status.BASES else task_status.CURRENT


@official_required
@require_GET
def report(request):
    """Four categories (and ongoing) for every organisation, origin, month or key-task flag:
    one aggregate query over the tasks the caller may read."""
    today = timezone.localdate()
    by = request.GET.get("by", "organisation")
    by = by if by in reports.GROUPINGS else "organisation"
    basis = _basis(request)
    origin = request.GET.get("origin", "")
    month = _last_month(today)

    def table() -> str:
        # Built on a miss only: a hit needs no queryset (building one costs ORM time too).
        qs = reports.filtered(
            visible(request),
            origin=origin if origin in Origin.values else "",
            is_key=True if request.GET.get("key") == "1" else None,
        )
        rows = reports.grouped(qs, by, today, basis)
        whole = reports.Row(None, _("All"), {})
        for row in rows:
            for c in task_status.CATEGORIES:
                whole.counts[c.value] = whole.counts.get(c.value, 0) + row.count(c)
        return render_to_string(
            "assignments/_report_table.html",
            {
                "rows": rows,
                "whole": whole,
                "by": by,
                "categories": task_status.CATEGORIES,
                "month": month,
            },
        )

    # The table is cached as rendered: rendering 50 organisations' rows (350 cells, 100 links)
    # took ~85 % of a cache hit's time when the rows were cached instead (cProfile).
    rendered = _cached(
        request,
        ("table", by, basis, origin, request.GET.get("key") == "1", today, get_language()),
        table,
    )
    return render(
        request,
        "assignments/report.html",
        {
            "table": mark_safe(rendered),  # noqa: S308 - our own template's output
            "by": by,
            "basis": basis,
            "origin": origin,
            "origins": Origin.choices,
            "key": request.GET.get("key") == "1",
            "today": today,
        },
    )


def _cached(request, params: tuple, compute):
    """The report's table, cached for this reader's grants and these filters until any task
    changes: the key holds the latest ``updated_at`` (indexed: one cheap query), which every act
    and every new task moves, so a cached report is never stale, only not recomputed. 100,000
    tasks take ~130 ms to count on SQLite (bench/tasks.py); a hit takes two small queries."""
    latest = Assignment.objects.aggregate(latest=Max("updated_at"))["latest"]
    reader = (
        "superuser"
        if policy.is_superuser(request)
        else sorted(
            (g.path, g.include_subtree) for g in policy.grants(request) if g.scope == scopes.READ
        )
    )
    key = (
        "assignments:report:" + hashlib.sha256(repr((reader, params, latest)).encode()).hexdigest()
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, REPORT_CACHE_SECONDS)
    return value


def _last_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def _monthly(request) -> monthly.Monthly:
    org = Organisation.objects.filter(pk=request.GET.get("organisation") or 0).first()
    if org is None:
        raise PageNotFound(_("No organisation you may see was found."))
    # The lead's own officials, and the Government Office, read its monthly report.
    office = _office_or_none()
    if not (
        policy.can(request, scopes.READ, org)
        or (office is not None and policy.can(request, scopes.READ, office))
    ):
        raise PageNotFound(_("No organisation you may see was found."))
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError as exc:
        raise PageNotFound(_("Give the month as YYYY-MM.")) from exc
    return monthly.build(org, year, month)


@official_required
@require_GET
def report_xlsx(request):
    built = _monthly(request)
    response = HttpResponse(
        monthly.xlsx(built),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"nhiem-vu-{built.organisation.code}-{built.year}-{built.month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@official_required
@require_GET
def monthly_pdf(request):
    built = _monthly(request)
    office = _office_or_none()
    if office is None:
        raise PageNotFound(_("This installation has no Government Office."))
    response = HttpResponse(monthly.signed_pdf(built, office), content_type="application/pdf")
    name = f"nhiem-vu-{built.organisation.code}-{built.year}-{built.month:02d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
