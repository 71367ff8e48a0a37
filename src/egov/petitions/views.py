"""The submitter's pages: a new petition, my petitions, one of mine (with its timeline, the
answer and the supplement form when one is asked for). Writes go through the services; every
petition read is checked by the policy (the submitter owns theirs)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts import policy
from egov.accounts.oidc.decorators import require_assurance
from egov.accounts.services.citizens import acting_for, current_citizen
from egov.core.error_pages import PageNotFound
from egov.core.web import error_messages
from egov.dossiers.services.files import Upload
from egov.dossiers.web import file_response
from egov.petitions import scopes, services
from egov.petitions.access import can_see
from egov.petitions.acts import allowed_acts
from egov.petitions.forms import PetitionForm
from egov.petitions.models import Attachment, Petition, Status
from egov.petitions.timeline import timeline

PAGE_SIZE = 20


def _uploads(request) -> list[Upload]:
    return [Upload.from_file(f) for f in request.FILES.getlist("files")]


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_assurance(1)
@require_http_methods(["GET", "POST"])
def new(request):
    citizen = current_citizen(request)
    posted = request.method == "POST"
    form = PetitionForm(request.POST if posted else None, citizen=citizen)
    # "Search" buttons send the form back to show matches: nothing is submitted.
    searching = posted and "find" in request.POST
    status = 200
    if posted and not searching:
        if form.is_valid():
            data = services.PetitionData(
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                category=form.cleaned_data["category"],
                procedure=form.cleaned_data["procedure"],
                dossier=form.cleaned_data["dossier"],
                concerned_organisation=form.cleaned_data["organisation"],
                publish_name=form.cleaned_data["publish_name"],
                business_tax_code=acting_for(request) or "",
            )
            try:
                petition = services.submit(actor=request, data=data, uploads=_uploads(request))
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your petition was received. Its code is %(code)s.")
                    % {"code": petition.code},
                )
                return redirect("petitions:detail", petition.code)
        status = 400
    context = {
        "form": form,
        "procedures": form.procedure_matches() if posted else [],
        "organisations": form.organisation_matches() if posted else [],
        "dossiers": form.own_dossiers(),
        "acting_for": acting_for(request),
    }
    return render(request, "petitions/new.html", context, status=status)


@require_assurance(1)
@require_GET
def mine(request):
    qs = (
        policy.scope_queryset(request, scopes.READ, Petition.objects.all())
        .filter(submitter__user=request.user)
        .select_related("organisation")
        .order_by("-received_at", "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "petitions/mine.html", {"page": page})


def _own(request, code) -> Petition:
    petition = (
        Petition.objects.select_related("organisation", "centre", "submitter")
        .filter(code=code)
        .first()
    )
    # One page for a code that does not exist and one not the reader's: the message tells
    # nothing about which.
    if petition is None or not policy.can(request, scopes.READ, petition):
        raise PageNotFound(_("No petition you may see has this code."))
    return petition


@require_assurance(1)
@require_GET
def detail(request, code):
    petition = _own(request, code)
    return render(
        request,
        "petitions/detail.html",
        {
            "petition": petition,
            "timeline": timeline(petition),
            "attachments": petition.attachments.all(),
            "acts": allowed_acts(petition, request),
        },
    )


@require_assurance(1)
@require_POST
def supplement(request, code):
    petition = _own(request, code)
    try:
        services.supplement(
            request, petition, note=request.POST.get("note", ""), uploads=_uploads(request)
        )
    except (ValidationError, PermissionDenied) as exc:
        return render(
            request,
            "petitions/detail.html",
            {
                "petition": petition,
                "timeline": timeline(petition),
                "attachments": petition.attachments.all(),
                "acts": allowed_acts(petition, request),
                "errors": error_messages(exc),
            },
            status=403 if isinstance(exc, PermissionDenied) else 400,
        )
    messages.success(request, _("Your supplement was sent."))
    return redirect("petitions:detail", petition.code)


@require_GET
def attachment(request, pk):
    row = Attachment.objects.select_related("petition").filter(pk=pk).first()
    if row is None or not (
        policy.can(request, scopes.READ, row) or can_see(request, scopes.READ, row.petition)
    ):
        raise PageNotFound(_("No file you may see has this number."))
    return file_response(row.file, row.name, row.content_type)


@require_GET
def answer_pdf(request, code):
    petition = Petition.objects.filter(code=code).first()
    # A published answer is public; before that, its readers only.
    if petition is None or (
        petition.status != Status.PUBLISHED and not can_see(request, scopes.READ, petition)
    ):
        raise PageNotFound(_("No petition you may see has this code."))
    return file_response(petition.answer_file, f"{petition.code}.pdf", "application/pdf")
