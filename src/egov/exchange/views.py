"""The document clerk's pages: inbox, outbox, register and send, one document with its trail.

Thin: reads are filtered by egov.accounts.policy; every change calls egov.exchange.services.
Plain forms and links: everything works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts import policy
from egov.accounts.signing import holder_of
from egov.core.downloads import content_disposition
from egov.core.models import Organisation
from egov.core.text import fold
from egov.exchange import edxml
from egov.exchange.forms import AnswerForm, RecallForm, RegisterForm, SearchForm
from egov.exchange.models import Delivery, Evidence, OfficialDocument, Package, TransportState
from egov.exchange.picker import picker
from egov.exchange.services import documents
from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import deliveries as hub_deliveries
from egov.exchange.services.hub import packages
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay import outbound

PAGE = 50


def _search(request, qs, date_field):
    form = SearchForm(request.GET or None)
    if form.is_valid():
        prefix = "package__" if qs.model is Delivery else ""
        if form.cleaned_data["q"]:
            qs = qs.filter(**{f"{prefix}search_text__contains": fold(form.cleaned_data["q"])})
        if form.cleaned_data["date_from"]:
            qs = qs.filter(**{f"{date_field}__date__gte": form.cleaned_data["date_from"]})
        if form.cleaned_data["date_to"]:
            qs = qs.filter(**{f"{date_field}__date__lte": form.cleaned_data["date_to"]})
    return form, qs


@login_required
def inbox(request):
    qs = policy.scope_queryset(
        request,
        "documents.receive",
        Delivery.objects.select_related("package__sender", "recipient"),
    ).order_by("-package__priority", "package__due_date", "-created_at")
    form, qs = _search(request, qs, "created_at")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "exchange/inbox.html", {"form": form, "page": page})


@login_required
def outbox(request):
    qs = policy.scope_queryset(
        request,
        "documents.send",
        Package.objects.select_related("sender").prefetch_related("deliveries__recipient"),
    )
    form, qs = _search(request, qs, "received_at")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    registered = policy.scope_queryset(
        request,
        "documents.send",
        OfficialDocument.objects.filter(state=OfficialDocument.State.REGISTERED),
    ).select_related("organisation")[:PAGE]
    return render(
        request, "exchange/outbox.html", {"form": form, "page": page, "registered": registered}
    )


def _sending_organisations(request):
    if policy.is_superuser(request):
        return Organisation.objects.filter(level__in=["central", "province"])
    # Every organisation the clerk may send for, their grants' subtrees included (as the
    # policy decides at the hub), not only the organisations named in the grants.
    organisations = Organisation.objects.order_by("path")
    return policy.scope_queryset(request, "documents.send", organisations)


@login_required
def register(request):
    organisations = _sending_organisations(request)
    if not organisations.exists():
        raise Http404
    searching = request.method == "POST" and "_find_recipients" in request.POST
    if searching:
        # The picker's search without JavaScript: the form comes back as typed, unchecked.
        initial = {k: request.POST.get(k) for k in request.POST if k != "recipients"}
        form = RegisterForm(initial=initial, organisations=organisations)
    else:
        form = RegisterForm(
            request.POST or None, request.FILES or None, organisations=organisations
        )
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        try:
            # The clerk's own certificate: their name and title sign the document.
            signer = holder_of(request.user) if data["sign"] else None
            doc = documents.register(
                data["organisation"],
                documents.DocumentData(
                    document_type=data["document_type"],
                    subject=data["subject"],
                    signer_name=data["signer_name"].strip() or signer.full_name,
                    signer_position=data["signer_position"] or (signer and signer.title) or "",
                    priority=data["priority"],
                    due_date=data["due_date"],
                    recipients=data["recipients"],
                ),
                pdf=data["pdf"].read(),
                actor=request,
                signer=signer,
            )
        except PermissionDenied as exc:
            form.add_error("sign", str(exc))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Registered as %(n)s.") % {"n": doc.number_notation})
            return redirect("exchange:document", pk=doc.pk)
    return render(
        request,
        "exchange/register.html",
        {"form": form, **picker(request.POST if request.method == "POST" else request.GET)},
    )


@login_required
def document(request, pk):
    qs = policy.scope_queryset(request, "documents.send", OfficialDocument.objects.all())
    doc = get_object_or_404(qs.select_related("organisation", "package"), pk=pk)
    if request.method == "POST":
        try:
            package = documents.send(doc, actor=request)
        except (HubError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, _("Sent through the hub."))
            return redirect("exchange:package", pk=package.pk)
    deliveries = _deliveries(doc.package) if doc.package else []
    return render(
        request,
        "exchange/document.html",
        {"doc": doc, "deliveries": deliveries, "can_retry": _can_retry(deliveries)},
    )


def _deliveries(package):
    return list(package.deliveries.select_related("recipient").order_by("pk"))


def _can_retry(deliveries) -> bool:
    if not parent_hub.is_provincial() or not deliveries:
        return False
    if any(d.via and d.transport_state == TransportState.FAILED for d in deliveries):
        return True
    return bool(outbound.failed_status_relays(deliveries[0].package))  # a recall, an answer


def _trail(package):
    return Evidence.objects.filter(document_id=package.document_id).defer("content")


@login_required
def package(request, pk):
    qs = policy.scope_queryset(request, "documents.send", Package.objects.all())
    pkg = get_object_or_404(qs.select_related("sender"), pk=pk)
    form = RecallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            documents.recall(pkg, reason=form.cleaned_data["reason"], actor=request)
        except HubError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Recall sent to the recipients."))
        return redirect("exchange:package", pk=pkg.pk)
    deliveries = _deliveries(pkg)
    return render(
        request,
        "exchange/package.html",
        {
            "pkg": pkg,
            "deliveries": deliveries,
            "can_retry": _can_retry(deliveries),
            "trail": _trail(pkg),
            "statuses": pkg.statuses.select_related("sender"),
            "recall_form": form,
        },
    )


@login_required
@require_POST
def retry(request, pk):
    """A new attempt at relaying a sent document to the parent hub after the relay failed."""
    qs = policy.scope_queryset(request, "documents.send", Package.objects.all())
    pkg = get_object_or_404(qs.select_related("sender"), pk=pk)
    try:
        outbound.retry(pkg, actor=request)
    except HubError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document is being sent to the national hub again."))
    return redirect("exchange:package", pk=pkg.pk)


@login_required
@require_POST
def retry_answers(request, pk):
    """The recipient's answers to a document from outside the province, sent up again after
    their relay to the national hub failed."""
    d = _delivery(request, pk)
    try:
        outbound.retry_answers(d, actor=request)
    except HubError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The answers are being sent to the national hub again."))
    return redirect("exchange:delivery", pk=d.pk)


def _delivery(request, pk):
    qs = policy.scope_queryset(request, "documents.receive", Delivery.objects.all())
    return get_object_or_404(qs.select_related("package__sender", "recipient"), pk=pk)


@login_required
def delivery(request, pk):
    d = _delivery(request, pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            documents.answer(
                d,
                form.cleaned_data["code"],
                description=form.cleaned_data["description"],
                actor=request,
            )
        except HubError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Status sent to the sender."))
        return redirect("exchange:delivery", pk=d.pk)
    # Header and attachments are the sender's: read from its bytes as received (the hub's copy
    # adds only its TraceHeader and signature, and is rebuilt on each call).
    parsed = _stored(d.package)
    return render(
        request,
        "exchange/delivery.html",
        {
            "d": d,
            "pkg": d.package,
            "header": parsed.header,
            "attachments": parsed.attachments,
            "trail": _trail(d.package),
            "answer_form": form,
            "answers_failed": parent_hub.is_provincial() and bool(outbound.failed_answer_relays(d)),
        },
    )


def _stored(package) -> edxml.Package:
    # Size-checked when the hub accepted it: an attachment over ~7 MB is a text node over
    # libxml2's default 10 MB limit, so parse without that limit.
    return edxml.parse(edxml.load(packages.package_bytes(package, original=True), huge=True))


@login_required
@require_POST
def acknowledge(request, pk):
    hub_deliveries.acknowledge(_delivery(request, pk), actor=request)
    return redirect("exchange:delivery", pk=pk)


@login_required
def attachment(request, pk, index):
    d = _delivery(request, pk)
    items = _stored(d.package).attachments
    if not 0 <= index < len(items):
        raise Http404
    item = items[index]
    response = HttpResponse(item.data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition(item.name)
    return response
