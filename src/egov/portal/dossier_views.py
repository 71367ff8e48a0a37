"""The citizen's dossier pages: apply online, my dossiers (everything), my data store, and the
public lookup (code + ID number → status and dated history, nothing else).

Views are thin: writes go through egov.dossiers.services; every object read is checked with
egov.dossiers.access (the policy: the applicant owns their dossiers).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts import ratelimit
from egov.accounts.oidc.decorators import require_assurance
from egov.accounts.services.citizens import acting_for, current_citizen
from egov.catalog.models import ChannelKind
from egov.core.error_pages import PageNotFound
from egov.core.web import error_messages
from egov.dossiers import scopes, services
from egov.dossiers.access import can_see
from egov.dossiers.acts import allowed_acts
from egov.dossiers.application.form import ApplicationForm
from egov.dossiers.application.page import (
    AgencyPicker,
    application_schema,
    channel_of,
    document_slots,
    expectation,
    read_documents,
    schema_uploads,
)
from egov.dossiers.application.prefill import Prefill, from_citizen
from egov.dossiers.models import CitizenDataStoreEntry, Dossier, FormKind, related
from egov.dossiers.printed.content import available_forms
from egov.dossiers.services import DossierError
from egov.dossiers.services.lookup import RateLimited, public_lookup
from egov.dossiers.web import (
    EMPTY_SCHEMA,
    file_response,
    form_pdf_response,
    history_of,
)
from egov.portal.views import _procedure_and_version

logger = logging.getLogger(__name__)


def _business_applicant(request, citizen) -> services.ApplicantData | None:
    """The business the citizen acts for (chosen at login), as the applicant; None: the
    citizen applies for themself."""
    tax_code = acting_for(request)
    if not tax_code:
        return None
    representation = citizen.business_representations.filter(
        tax_code=tax_code, revoked_at__isnull=True
    ).first()
    if representation is None:
        return None
    return services.ApplicantData(
        name=representation.business_name or tax_code,
        id_number=tax_code,
        kind="business",
        email=citizen.email,
        phone=citizen.phone,
    )


@require_assurance(1)
@require_http_methods(["GET", "POST"])
def submit(request, code):
    procedure, version = _procedure_and_version(code)
    channel = channel_of(version, ChannelKind.ONLINE) if version else None
    if channel is None:
        raise PageNotFound(_("This procedure cannot be applied for online."))
    citizen = current_citizen(request)
    applicant = _business_applicant(request, citizen)
    posted = request.method == "POST"
    data = request.POST if posted else None
    schema, required_documents = application_schema(version)
    schema = schema or EMPTY_SCHEMA
    # Applying for herself, what her e-ID vouches for is filled in and fixed.
    prefill = from_citizen(schema, citizen) if applicant is None else Prefill()
    form = ApplicationForm(
        schema,
        data=data,
        files=request.FILES if posted else None,
        fixed=prefill.fixed,
        initial=prefill.initial,
    )
    picker = AgencyPicker.from_request(version, request.POST if posted else request.GET)
    store = applicant.id_number if applicant else ""  # the business's store, or her own
    slots = document_slots(version, citizen, data, tax_code=store, required=required_documents)
    errors: list[str] = []
    refresh = posted and ("_agency_refresh" in request.POST or form.refresh)
    submitting = posted and not refresh
    agency = None
    if submitting:
        agency = picker.organisation()
        form_ok = form.is_valid()
        uploads, reuse, docs_ok = read_documents(slots, request.FILES, citizen)
        if agency is not None and form_ok and docs_ok:
            try:
                dossier = services.submit_online(
                    actor=request.user,
                    procedure_version=version,
                    organisation=agency,
                    form_data=form.cleaned_data,
                    uploads=uploads + schema_uploads(form, request.FILES),
                    reuse=reuse,
                    citizen=citizen,
                    applicant=applicant,
                )
            except (ValidationError, DossierError, PermissionDenied) as exc:
                errors = error_messages(exc)
            else:
                return redirect(reverse("portal:my-dossier", args=[dossier.code]) + "?submitted=1")
    elif picker.province or picker.agency:
        agency = picker.organisation()
    picker_error = picker.error if submitting else ""
    return render(
        request,
        "portal/dossiers/submit.html",
        {
            "procedure": procedure,
            "version": version,
            "form": form,
            "picker": picker,
            "picker_error": picker_error,
            "slots": slots,
            "errors": errors,
            "has_errors": bool(
                errors
                or picker_error
                or any(s.error for s in slots)
                or form.error_list
                or form.non_field_errors
            ),
            "expect": expectation(channel, agency),
            "applying_as": applicant
            or services.ApplicantData(name=citizen.full_name, id_number=citizen.personal_id_number),
            "channel": channel,
        },
        status=400 if submitting else 200,
    )


def _own_dossier(request, code) -> Dossier:
    dossier = (
        Dossier.objects.select_related("organisation", "procedure_version__procedure", "channel")
        .filter(code=code)
        .first()
    )
    if dossier is None or not can_see(request.user, scopes.READ, dossier):
        raise PageNotFound(_("No dossier you may see has this code."))
    return dossier


@require_assurance(1)
@require_GET
def my_dossiers(request):
    citizen = current_citizen(request)
    dossiers = (
        Dossier.objects.filter(applicant_citizen=citizen)
        .select_related("organisation", "procedure_version")
        .order_by("-id")[:200]
    )
    entries = CitizenDataStoreEntry.objects.filter(citizen=citizen).order_by("-issued_at")
    return render(request, "portal/dossiers/mine.html", {"dossiers": dossiers, "entries": entries})


@require_assurance(1)
@require_http_methods(["GET", "POST"])
def my_dossier(request, code):
    dossier = _own_dossier(request, code)
    errors: list[str] = []
    if request.method == "POST":
        act = request.POST.get("act")
        try:
            if act == "supplement":
                uploads = [
                    services.Upload.from_file(f, name=f.name[:255])
                    for f in request.FILES.getlist("files")
                ]
                services.supplement(
                    dossier, actor=request.user, uploads=uploads, note=request.POST.get("note", "")
                )
            elif act == "withdraw":
                services.withdraw(
                    dossier, actor=request.user, reason=request.POST.get("reason", "").strip()
                )
            else:
                raise PageNotFound(_("No such act."))
        except (ValidationError, DossierError, PermissionDenied) as exc:
            errors = error_messages(exc)
        else:
            return redirect("portal:my-dossier", dossier.code)
    allowed = {act.name for act in allowed_acts(dossier, request.user)}
    # The fees of the channel, and until the agency receives it the date the result would be
    # due if it were received now (the agency's working calendar).
    expect = expectation(dossier.channel, dossier.organisation)
    return render(
        request,
        "portal/dossiers/detail.html",
        {
            "dossier": dossier,
            "history": history_of(dossier),
            "components": dossier.components.all(),
            "result": related(dossier, "result"),
            "supplement_request": related(dossier, "supplement_request"),
            "forms": [(k, FormKind(k).label) for k in available_forms(dossier)],
            "submitted": request.GET.get("submitted") == "1",
            "expect": expect,
            "errors": errors,
            # What the act table lets the applicant do now (egov.dossiers.acts).
            "can_supplement": "supplement" in allowed,
            "can_withdraw": "withdraw" in allowed,
        },
        status=400 if errors else 200,
    )


@require_assurance(1)
@require_GET
def my_dossier_file(request, code, pk):
    dossier = _own_dossier(request, code)
    component = dossier.components.filter(pk=pk).first()
    if component is None:
        raise PageNotFound(_("The dossier has no such document."))
    name = component.file.name.rsplit("/", 1)[-1] if component.file else component.name
    return file_response(component.file, name, component.content_type)


@require_assurance(1)
@require_GET
def my_dossier_result(request, code):
    dossier = _own_dossier(request, code)
    result = related(dossier, "result")
    if result is None:
        raise PageNotFound(_("This dossier has no result yet."))
    return file_response(result.file, f"{dossier.code}-result.pdf", result.content_type)


@require_assurance(1)
@require_GET
def my_dossier_form(request, code, kind):
    return form_pdf_response(request, _own_dossier(request, code), kind)


@require_assurance(1)
@require_GET
def data_store_file(request, pk):
    entry = CitizenDataStoreEntry.objects.filter(pk=pk, citizen=current_citizen(request)).first()
    if entry is None:
        raise PageNotFound(_("Your data store has no such file."))
    return file_response(entry.file, entry.file.name.rsplit("/", 1)[-1], entry.content_type)


@require_http_methods(["GET", "POST"])
def lookup(request):
    """Public: the code and the applicant's ID number give the status and dated history.

    The form posts (the ID number stays out of addresses and access logs); a GET only fills in
    the code (the QR code of form 01 links here with ``?code=``)."""
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    code = (source.get("code") or "").strip().upper()[:40]
    id_number = (request.POST.get("id_number") or "").strip()[:14] if posted else ""
    context = {"code": code, "dossier": None, "history": [], "searched": False}
    if not posted:
        return render(request, "portal/dossiers/lookup.html", context)
    if not code or not id_number:
        context["missing"] = True
        return render(request, "portal/dossiers/lookup.html", context, status=400)
    try:
        found = public_lookup(ratelimit.client_ip(request), code, id_number)
    except RateLimited as exc:
        logger.warning("Dossier lookup rate limit hit")
        context["rate_limited"] = exc.retry_after
        response = render(request, "portal/dossiers/lookup.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    context["searched"] = True
    if found is None:
        return render(request, "portal/dossiers/lookup.html", context, status=404)
    context["dossier"] = found
    return render(request, "portal/dossiers/lookup.html", context)
