"""The officials' workspace (một cửa): queues by status and due time, bulk acts, the dossier page
(whole history, documents, forms, acts), in-person registration and the tracking book.

Views are thin: every act is one call of egov.dossiers.services (which checks the policy again);
every read goes through egov.dossiers.access (the official's organisations and roles).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.accounts.models import Official
from egov.core import numbers, registry
from egov.core.downloads import content_disposition
from egov.core.error_pages import PageNotFound
from egov.core.models import Organisation
from egov.core.web import error_messages
from egov.dossiers import queues, result_views, scopes, services
from egov.dossiers.access import can_see, visible_dossiers
from egov.dossiers.acts import ACTS, BATCH_ACTS, allowed_acts, past_label
from egov.dossiers.application.display import form_rows
from egov.dossiers.models import (
    OPEN_STATUSES,
    Dossier,
    FormKind,
    Status,
    Timeliness,
    WorkflowStep,
    related,
    steps_for,
)
from egov.dossiers.printed import content
from egov.dossiers.printed.pdf import render_form
from egov.dossiers.printed.xlsx import tracking_book_xlsx
from egov.dossiers.web import (
    file_response,
    form_pdf_response,
    history_of,
)

PAGE_SIZE = 50
# The queue's bulk acts: the batch acts, and giving dossiers to an official.
BULK_ACTS = (*BATCH_ACTS, "assign")
DUE_FILTERS = ("overdue", "at_risk", "soon", "today")


def _my_organisations(user):
    return policy.scope_queryset(user, scopes.READ, Organisation.objects.all()).order_by("name")


def _queue(request):
    """Visible dossiers filtered by the query string; returns (queryset, filters)."""
    now = timezone.now()
    qs = visible_dossiers(request.user).select_related(
        "organisation", "procedure_version", "current_step"
    )
    # NFC as stored (egov.core.inputs): "Nguyễn" typed with combining marks finds the name too.
    f = {
        k: unicodedata.normalize("NFC", request.GET.get(k) or "").strip()
        for k in ("status", "due", "q", "org", "mine", "role")
    }
    if f["status"].isdigit() and int(f["status"]) in Status.values:
        qs = qs.filter(status=int(f["status"]))
    elif f["status"] != "all":
        f["status"] = ""
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f["due"] == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now, paused_at__isnull=True)
    elif f["due"] == "at_risk":
        qs = qs.filter(
            status__in=OPEN_STATUSES, at_risk_at__lte=now, due_at__gte=now, paused_at__isnull=True
        )
    elif f["due"] == "soon":
        qs = qs.filter(
            status__in=OPEN_STATUSES,
            due_at__gte=now,
            due_at__lt=queues.soon_horizon(now),
            paused_at__isnull=True,
        )
    elif f["due"] == "today":
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lte=end)
    else:
        f["due"] = ""
    if f["q"]:
        qs = qs.filter(
            Q(code__icontains=f["q"])
            | Q(applicant_name__icontains=f["q"])
            | Q(procedure_version__procedure__code=f["q"])
        )
    if f["org"]:
        qs = qs.filter(organisation__code=f["org"])
    if f["role"] == "mine":
        qs = qs.filter(queues.at_my_step(request.user))
    else:
        f["role"] = ""
    if f["mine"] == "1":
        qs = qs.filter(assignments__official__user=request.user, assignments__ended_at__isnull=True)
    qs = qs.order_by("due_at", "id")
    return qs, f


@official_required
@require_GET
def queue(request):
    qs, f = _queue(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        visible_dossiers(request.user)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    now = timezone.now()
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "dossiers/queue.html",
        {
            "page": page,
            "filters": f,
            "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in Status],
            "organisations": _my_organisations(request.user),
            "colleagues": _colleagues(request.user),
            "now": now,
            "querystring": params.urlencode(),
            "bulk_acts": _bulk_acts(request.user),
        },
    )


def _bulk_acts(user):
    """The queue's bulk acts the official holds some scope of (the services decide per dossier)."""
    held = policy.scopes_of(user)
    return [ACTS[name] for name in BULK_ACTS if "*" in held or set(ACTS[name].all_scopes) & held]


def _colleagues(user):
    """Officials of the organisations the user reads dossiers at (for assignment)."""
    orgs = _my_organisations(user).values("pk")
    return Official.objects.filter(organisation__in=orgs).select_related("user").order_by("pk")


@official_required
@require_POST
def bulk(request):
    act = request.POST.get("act")
    codes = request.POST.getlist("dossier")
    if act not in BULK_ACTS or not codes:
        messages.error(request, _("Choose an action and at least one dossier."))
        return redirect(reverse("dossiers:queue") + "?" + request.POST.get("querystring", ""))
    assignee = None
    if act == "assign":
        assignee = _colleagues(request.user).filter(pk=request.POST.get("official") or 0).first()
        if assignee is None:
            messages.error(request, _("Choose the official to assign the dossiers to."))
            return redirect("dossiers:queue")
    done, failed = [], []
    for dossier in visible_dossiers(request.user).filter(code__in=codes[:PAGE_SIZE]):
        try:
            if act == "assign":
                services.assign(dossier, actor=request.user, official=assignee)
            else:
                services.act_on_many([dossier], act, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            failed.append(f"{dossier.code}: {' '.join(error_messages(exc))}")
        else:
            done.append(dossier.code)
    if done:
        messages.success(
            request,
            _("Done for %(count)d dossier(s): %(codes)s")
            % {"count": len(done), "codes": ", ".join(done)},
        )
    for line in failed:
        messages.error(request, line)
    return redirect(reverse("dossiers:queue") + "?" + request.POST.get("querystring", ""))


def _dossier(request, code) -> Dossier:
    dossier = (
        Dossier.objects.select_related(
            "organisation", "procedure_version__procedure", "channel", "current_step"
        )
        .filter(code=code)
        .first()
    )
    if dossier is None or not can_see(request.user, scopes.READ, dossier):
        raise PageNotFound(_("No dossier you may see has this code."))
    return dossier


@official_required
@require_GET
def detail(request, code):
    return _render_detail(request, _dossier(request, code))


def _render_detail(request, dossier, errors=(), status=200):
    steps = list(steps_for(dossier)) if dossier.received_at else []
    acts = allowed_acts(dossier, request.user)
    components = list(dossier.components.all())
    # The transfer's picker lists only the agencies that handle the procedure (one query, only
    # when the transfer is offered).
    targets = (
        list(services.transfer_targets(dossier)) if any(a.name == "transfer" for a in acts) else []
    )
    return render(
        request,
        "dossiers/detail.html",
        {
            "dossier": dossier,
            "history": history_of(dossier),
            "components": components,
            "form_rows": form_rows(
                dossier.procedure_version.application_form,
                dossier.form_data,
                components=components,
                on=timezone.localdate(dossier.submitted_at) if dossier.submitted_at else None,
            ),
            "forms": [(k, FormKind(k).label) for k in content.available_forms(dossier)],
            "result": related(dossier, "result"),
            "supplement_request": related(dossier, "supplement_request"),
            "apology": related(dossier, "apology"),
            "transfers": dossier.transfers.select_related("from_organisation", "to_organisation"),
            "assignments": dossier.assignments.select_related("official__user").filter(
                ended_at__isnull=True
            ),
            "acts": acts,
            "transfer_targets": targets,
            "steps": steps,
            "later_steps": [
                s for s in steps if dossier.current_step and s.order > dossier.current_step.order
            ],
            "earlier_steps": [
                s for s in steps if dossier.current_step and s.order < dossier.current_step.order
            ],
            "colleagues": _colleagues(request.user),
            "at_risk": services.is_at_risk(dossier),
            "timeliness": _timeliness_label(services.timeliness(dossier)),
            "links": _links(request.user, dossier),
            "errors": list(errors),
        },
        status=status,
    )


def _links(user, dossier) -> list[dict]:
    """The pages of the apps above this one about this dossier (the payments' fees page), as
    they registered them (egov.core.registry.dossier_link): dossiers does not import them."""
    return [
        {"name": link.name, "label": link.label, "url": reverse(link.url_name, args=[dossier.code])}
        for link in registry.dossier_links()
        if link.allowed(user, dossier)
    ]


def _timeliness_label(code: str) -> str:
    return str(Timeliness(code).label) if code in Timeliness.values else ""


def _uploads(files, field="files"):
    return [services.Upload.from_file(f, name=f.name[:255]) for f in files.getlist(field)]


def _items(text: str) -> list[dict]:
    return [{"name": line.strip()} for line in (text or "").splitlines() if line.strip()]


def _date_range(request) -> tuple[dt.date, dt.date, list[str]]:
    """``from`` and ``to`` of a report (this month by default), with what was wrong in them: a
    day that does not exist (2026-02-30) is an error to show, not a 500."""
    today = timezone.localdate()
    days, errors = [], []
    for key, default in (("from", today.replace(day=1)), ("to", today)):
        value = request.GET.get(key) or ""
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if value and day is None:
            errors.append(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value})
        days.append(day or default)
    return days[0], days[1], errors


def _when(value: str):
    parsed = parse_datetime(value or "")
    if parsed is None:
        day = parse_date(value or "")
        if day is not None:
            parsed = dt.datetime.combine(day, dt.time(16, 30))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _perform(request, dossier: Dossier, act: str) -> None:
    """One act from the dossier page: one service call."""
    post, user = request.POST, request.user
    note = post.get("note", "").strip()
    reason = post.get("reason", "").strip()
    step = None
    if post.get("step"):
        step = WorkflowStep.objects.filter(
            pk=post["step"] if post["step"].isdigit() else 0,
            procedure_version=dossier.procedure_version,
        ).first()
    assignee = None
    if post.get("official"):
        assignee = _colleagues(user).filter(
            pk=post["official"] if post["official"].isdigit() else 0
        )
        assignee = assignee.first()
    if act == "receive":
        services.receive(dossier, actor=user, note=note)
    elif act == "refuse":
        services.refuse(dossier, actor=user, reason=reason)
    elif act == "request_supplement":
        services.request_supplement(
            dossier, actor=user, items=_items(post.get("items", "")), reason=reason
        )
    elif act == "supplement":
        services.supplement(dossier, actor=user, uploads=_uploads(request.FILES), note=note)
    elif act == "start_processing":
        services.start_processing(dossier, actor=user, assignee=assignee)
    elif act == "assign":
        if assignee is None:
            raise ValidationError(_("Choose the official to assign the dossier to."))
        services.assign(dossier, actor=user, official=assignee)
    elif act == "forward":
        services.forward(dossier, actor=user, to_step=step, assignee=assignee, note=note)
    elif act == "return_to_step":
        services.return_to_step(dossier, actor=user, step=step, reason=reason)
    elif act == "transfer":
        to = Organisation.objects.filter(code=post.get("to_organisation", "").strip()).first()
        if to is None:
            raise ValidationError(_("Give the code of the agency to transfer the dossier to."))
        services.transfer(dossier, actor=user, to_organisation=to, reason=reason)
    elif act == "require_fees":
        # "221.000" typed the Vietnamese way is 221000, not a refusal (was: digits only).
        amount = numbers.parse(post.get("amount_vnd", ""), whole=True)
        if amount is None:
            raise ValidationError(
                _('Write the amount in whole đồng, thousands grouped with dots: "221.000".')
            )
        services.require_fees(dossier, actor=user, amount_vnd=amount, note=note)
    elif act == "record_fees_paid":
        services.record_fees_paid(dossier, actor=user, note=note)
    elif act == "approve":
        result_views.approve(request, dossier)
    elif act == "mark_processed":
        services.mark_processed(dossier, actor=user, note=note)
    elif act == "attach_result":
        result_views.attach_result(request, dossier)
    elif act == "return_result":
        services.return_result(dossier, actor=user, note=note)
    elif act == "issue_apology":
        new_due = _when(post.get("new_due_at", ""))
        if new_due is None:
            raise ValidationError(_("Give the new date."))
        services.issue_apology(dossier, actor=user, reason=reason, new_due_at=new_due)
    elif act == "withdraw":
        services.withdraw(dossier, actor=user, reason=reason)
    elif act == "stop":
        services.stop(dossier, actor=user, reason=reason)
    else:
        raise PageNotFound(_("No such act."))


@official_required
@require_POST
def act(request, code):
    dossier = _dossier(request, code)
    name = request.POST.get("act", "")
    try:
        _perform(request, dossier, name)
    except (ValidationError, PermissionDenied) as exc:
        dossier.refresh_from_db()
        return _render_detail(request, dossier, errors=error_messages(exc), status=400)
    messages.success(request, _("Done: %(act)s.") % {"act": past_label(name)})
    return redirect("dossiers:detail", dossier.code)


@official_required
@require_GET
def form_pdf(request, code, kind):
    return form_pdf_response(request, _dossier(request, code), kind)


@official_required
@require_GET
def component_file(request, code, pk):
    dossier = _dossier(request, code)
    component = get_object_or_404(dossier.components, pk=pk)
    name = component.file.name.rsplit("/", 1)[-1] if component.file else component.name
    return file_response(component.file, name, component.content_type)


@official_required
@require_GET
def result_file(request, code):
    dossier = _dossier(request, code)
    result = related(dossier, "result")
    if result is None:
        raise PageNotFound(_("This dossier has no result yet."))
    return file_response(result.file, f"{dossier.code}-result.pdf", result.content_type)


@official_required
@require_GET
def tracking_book(request):
    """Form 06 for one of my organisations and a date range: signed PDF or .xlsx."""
    orgs = _my_organisations(request.user)
    start, end, errors = _date_range(request)
    org = orgs.filter(code=request.GET.get("org", "")).first()
    fmt = request.GET.get("format", "")
    if end < start:
        errors.append(_("The end date is before the start date."))
    if fmt and org is None:
        errors.append(_("Choose the organisation."))
    if fmt in {"pdf", "xlsx"} and not errors:
        book = content.tracking_book(org, start, end)
        name = f"so-theo-doi-{org.code}-{start:%Y%m%d}-{end:%Y%m%d}"
        if fmt == "pdf":
            response = HttpResponse(render_form("06", book), "application/pdf")
            response["Content-Disposition"] = content_disposition(f"{name}.pdf", attachment=False)
        else:
            response = HttpResponse(
                tracking_book_xlsx(book),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = content_disposition(f"{name}.xlsx")
        return response
    return render(
        request,
        "dossiers/book.html",
        {"organisations": orgs, "org": org, "start": start, "end": end, "errors": errors},
        status=400 if errors else 200,
    )


@official_required
@require_GET
def on_time(request):
    """Early / on time / late (finished) and within time / overdue (open) per agency, for the
    dossiers received in a date range, over the dossiers the official may read."""
    start, end, errors = _date_range(request)
    if errors:
        return render(
            request,
            "dossiers/on_time.html",
            {"rows": [], "start": start, "end": end, "errors": errors},
            status=400,
        )
    tz = timezone.get_current_timezone()
    rows = services.timeliness_counts(
        visible_dossiers(request.user),
        start=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    names = dict(
        Organisation.objects.filter(pk__in=[r["organisation"] for r in rows]).values_list(
            "pk", "name"
        )
    )
    for row in rows:
        row["name"] = names.get(row["organisation"], row["code"])
        finished = row["early"] + row["on_time"] + row["late"]
        row["share_in_time"] = (
            round(100 * (row["early"] + row["on_time"]) / finished) if finished else None
        )
    return render(
        request,
        "dossiers/on_time.html",
        {"rows": rows, "start": start, "end": end, "errors": []},
    )
