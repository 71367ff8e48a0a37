"""Walk-in registration at the desk: the procedure is found by searching its name (a list of
links without JavaScript, the same list live with htmx), then the applicant's form, documents
and the agency registering it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.catalog.models import ChannelKind, Procedure, ProcedureStatus
from egov.catalog.search import search as search_procedures
from egov.core.models import Organisation
from egov.core.web import error_messages
from egov.dossiers import scopes, services
from egov.dossiers.application.form import ApplicationForm
from egov.dossiers.application.page import (
    application_schema,
    channel_of,
    document_slots,
    read_documents,
    schema_uploads,
)
from egov.dossiers.application.prefill import from_desk
from egov.dossiers.web import EMPTY_SCHEMA

MAX_MATCHES = 15


def procedure_matches(query: str) -> list[Procedure]:
    """Active procedures that can be applied for in person, best match of ``query`` first."""
    query = " ".join((query or "").split())[:200]
    if not query:
        return []
    in_person = Procedure.objects.filter(
        current_version__channels__kind=ChannelKind.IN_PERSON
    ).values("pk")
    return list(search_procedures(query).filter(pk__in=in_person)[:MAX_MATCHES])


def _search_context(source) -> dict:
    query = (source.get("q") or "").strip()[:200]
    return {"q": query, "matches": procedure_matches(query), "searched": bool(query)}


def _desk_errors(form: ApplicationForm, derived: dict[str, str]) -> list[str]:
    """What the form says of the fields the desk's own fields filled, said of those (the form's
    fields are not on the page)."""
    labels = {
        "applicant_name": _("Full name or business name"),
        "applicant_id": _("ID number or tax code"),
        "applicant_phone": _("Phone"),
        "applicant_email": _("E-mail"),
    }
    said = []
    for f in form.all_fields():
        if f.path in derived and f.errors:
            said += [f"{capfirst(labels[derived[f.path]])}: {message}" for message in f.errors]
            f.errors = []
    return said


@official_required
@require_GET
def procedures(request):
    """The procedure search's results (htmx swaps them in as the official types)."""
    return render(request, "dossiers/_procedure_results.html", _search_context(request.GET))


@official_required
@require_http_methods(["GET", "POST"])
def register(request):
    """The desk registers a walk-in applicant's dossier (in-person channel)."""
    desk_orgs = policy.scope_queryset(
        request.user, scopes.RECEIVE, Organisation.objects.all()
    ).order_by("name")
    source = request.POST if request.method == "POST" else request.GET
    code = (source.get("procedure") or "").strip()
    procedure = (
        Procedure.objects.filter(code=code, status=ProcedureStatus.ACTIVE)
        .select_related("current_version")
        .first()
        if code
        else None
    )
    version = procedure.current_version if procedure else None
    context = {
        "desk_orgs": desk_orgs,
        "procedure": procedure,
        "code": code,
        "errors": [],
        **_search_context(source),
    }
    if code and (version is None or channel_of(version, ChannelKind.IN_PERSON) is None):
        context["errors"] = [_("No procedure with this code can be applied for in person.")]
        return render(request, "dossiers/register.html", context, status=400 if code else 200)
    if version is None:
        return render(request, "dossiers/register.html", context)
    posted = request.method == "POST" and "applicant_name" in request.POST
    schema, required_documents = application_schema(version)
    applicant = {
        k: (request.POST.get(k) or "").strip()
        for k in ("applicant_name", "applicant_id", "applicant_phone", "applicant_email")
    }
    applicant["applicant_address"] = (request.POST.get("applicant_address") or "").strip()
    # The desk's name, ID number, phone and e-mail fill the form's applicant group, which does not
    # ask for them again.
    derived = from_desk(schema)
    form = ApplicationForm(
        schema or EMPTY_SCHEMA,
        data=request.POST if posted else None,
        files=request.FILES if posted else None,
        fixed={path: applicant[desk] for path, desk in derived.items()},
        hidden=derived,
    )
    slots = document_slots(version, required=required_documents)
    context.update(form=form, slots=slots, applicant=applicant, version=version)
    if posted and not form.refresh:
        organisation = desk_orgs.filter(code=request.POST.get("organisation", "")).first()
        errors = []
        if organisation is None:
            errors.append(_("Choose the agency registering the dossier."))
        form_ok = form.is_valid()
        errors += _desk_errors(form, derived)
        uploads, _reuse, docs_ok = read_documents(slots, request.FILES)
        if not docs_ok:
            errors += [f"{s.document.name[:80]}: {s.error}" for s in slots if s.error]
        if organisation is not None and form_ok and docs_ok:
            try:
                dossier = services.register_in_person(
                    actor=request.user,
                    procedure_version=version,
                    organisation=organisation,
                    applicant=services.ApplicantData(
                        name=applicant["applicant_name"],
                        id_number=applicant["applicant_id"],
                        email=applicant["applicant_email"],
                        phone=applicant["applicant_phone"],
                        address=applicant["applicant_address"],
                    ),
                    form_data=form.cleaned_data,
                    uploads=uploads + schema_uploads(form, request.FILES),
                )
            except (ValidationError, PermissionDenied) as exc:
                errors += error_messages(exc)
            else:
                messages.success(
                    request, _("Dossier %(code)s registered.") % {"code": dossier.code}
                )
                return redirect("dossiers:detail", dossier.code)
        context["errors"] = errors
        context["has_errors"] = bool(errors or form.error_list or form.non_field_errors)
        return render(request, "dossiers/register.html", context, status=400)
    return render(request, "dossiers/register.html", context)
