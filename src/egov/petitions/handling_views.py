"""The handlers' pages: the queue of petitions (filters, at-risk and overdue flags) and one
petition with the acts the act table allows this official now. Every act is a POST to one view
that calls the act's service; a refusal (another organisation's petition, an act out of order,
bad input) answers 4xx with the reason and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.decorators import official_required
from egov.core.error_pages import PageNotFound
from egov.core.web import error_messages
from egov.exchange.picker import matches as organisations_named
from egov.petitions import deadlines, scopes, services
from egov.petitions.access import can_see, visible_petitions
from egov.petitions.acts import ACTS, allowed_acts
from egov.petitions.forms import ActForm
from egov.petitions.models import Petition, Status
from egov.petitions.services.handling import MERGEABLE
from egov.petitions.timeline import timeline

PAGE_SIZE = 50


@official_required
@require_GET
def queue(request):
    now = timezone.now()
    qs = visible_petitions(request).select_related("organisation")
    due = request.GET.get("due", "")
    if due == "overdue":
        qs = qs.filter(deadlines.overdue_q(now))
    elif due == "soon":
        qs = qs.filter(deadlines.at_risk_q(now))
    status = request.GET.get("status", "")
    if status.isdigit() and int(status) in Status.values:
        qs = qs.filter(status=int(status))
    qs = qs.order_by("due_at", "-received_at", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"petition": p, "flag": deadlines.flag(p, now)} for p in page]
    return render(
        request,
        "petitions/queue.html",
        {
            "page": page,
            "rows": rows,
            "due": due,
            "status": status,
            "statuses": Status.choices,
        },
    )


def _visible(request, code) -> Petition:
    petition = (
        Petition.objects.select_related("organisation", "centre", "answered_by")
        .filter(code=code)
        .first()
    )
    if petition is None or not can_see(request, scopes.READ, petition):
        raise PageNotFound(_("No petition you may see has this code."))
    return petition


def _similar(petition) -> list[Petition]:
    """Open petitions of the same organisation it may be merged into (the latest 50)."""
    return list(
        Petition.objects.filter(
            organisation=petition.organisation,
            status__in=MERGEABLE,
            merged_into__isnull=True,
        )
        .exclude(pk=petition.pk)
        .order_by("-received_at")[:50]
    )


def _page(request, petition, *, errors=(), form_act="", form=None, status=200):
    acts = [a for a in allowed_acts(petition, request) if not a.submitter]
    forms = {
        a.name: (form if a.name == form_act and form is not None else ActForm(fields=a.fields))
        for a in acts
    }
    query = (request.GET.get("organisation_q") or "").strip()[:100]
    return render(
        request,
        "petitions/handle.html",
        {
            "petition": petition,
            "flag": deadlines.flag(petition),
            "timeline": timeline(petition),
            "attachments": petition.attachments.all(),
            "acts": [(a, forms[a.name]) for a in acts],
            "errors": errors,
            "organisation_q": query,
            "similar": _similar(petition) if any("into" in a.fields for a in acts) else [],
            "organisations": organisations_named(query) if query else [],
        },
        status=status,
    )


@official_required
@require_GET
def handle(request, code):
    return _page(request, _visible(request, code))


@official_required
@require_POST
def act(request, code, name):
    petition = _visible(request, code)
    spec = ACTS.get(name)
    if spec is None or spec.submitter:
        raise PageNotFound(_("No such act."))
    form = ActForm(request.POST, fields=spec.fields)
    if not form.is_valid():
        return _page(
            request,
            petition,
            errors=error_messages(ValidationError(form.errors)),
            form_act=name,
            form=form,
            status=400,
        )
    data = form.cleaned_data
    kwargs = {}
    if "to_organisation" in spec.fields:
        kwargs["to_organisation"] = data["to_organisation"]
    if "note" in spec.fields:
        kwargs["note"] = data.get("note", "")
    if "reason" in spec.fields:
        kwargs["reason"] = data["reason"]
    if "answer" in spec.fields:
        kwargs["text"] = data["answer"]
    if "into" in spec.fields:
        kwargs["into"] = data["into"]
    try:
        services.ACT_FUNCTIONS[name](request, petition, **kwargs)
    except PermissionDenied as exc:
        return _page(request, petition, errors=[str(exc)], status=403)
    except ValidationError as exc:
        return _page(
            request, petition, errors=error_messages(exc), form_act=name, form=form, status=400
        )
    messages.success(request, _("%(act)s: done.") % {"act": spec.done})
    return redirect("petitions:handle", petition.code)
