"""The status sync's pages.

Provincial: the failed syncs of the official's agencies, each with its error and a button to
send it again; the procedures without a national code (not synced).

National: a citizen's dossiers from every province (logged in with the e-ID), the lookup by code
and ID number, and the live figures per province, sector and procedure.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.accounts.oidc.decorators import require_assurance
from egov.accounts.services.citizens import current_citizen
from egov.core.error_pages import PageNotFound
from egov.dossiers.models import Status
from egov.sync import scopes
from egov.sync.api import failure_for, visible_failures
from egov.sync.services import catalogue, national, outbound


def _national():
    if settings.EGOV_SYNC_ROLE != "national":
        raise PageNotFound(_("This page is only on the National Public Service Portal."))


@official_required
@require_GET
def failures(request):
    if not policy.can(request.user, scopes.READ):
        raise PermissionDenied(
            _("You may not see the syncs to the National Public Service Portal.")
        )
    return render(
        request,
        "sync/failures.html",
        {
            "failures": visible_failures(request.user),
            "may_retry": policy.can(request.user, scopes.RETRY),
            "unsynced": catalogue.unsynced_procedures(limit=50),
            "role": settings.EGOV_SYNC_ROLE,
        },
    )


@official_required
@require_POST
def retry(request, pk: int):
    row, dossier = failure_for(request.user, pk, scopes.RETRY)
    try:
        outbound.retry(row, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("The sync of dossier %(code)s will be sent again.") % {"code": dossier.code}
        )
    return redirect("sync:failures")


def _status_label(value: int) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


@require_assurance(1)
@require_GET
def my_dossiers(request):
    _national()
    citizen = current_citizen(request)
    rows = national.citizen_dossiers(citizen.personal_id_number if citizen else "")
    for row in rows:
        row.status_label = _status_label(row.status)
    return render(request, "sync/mine.html", {"dossiers": rows})


@require_assurance(1)
@require_GET
def my_dossier(request, pk: int):
    _national()
    citizen = current_citizen(request)
    row = national.citizen_dossier(citizen.personal_id_number if citizen else "", pk)
    if row is None:
        raise PageNotFound(_("No dossier you may see has this code."))
    return _dossier_page(request, row)


def _dossier_page(request, row):
    row.status_label = _status_label(row.status)
    steps = national.history(row)
    for step in steps:
        step.status_label = _status_label(step.status)
    return render(request, "sync/dossier.html", {"dossier": row, "steps": steps})


@require_http_methods(["GET"])
def lookup(request):
    _national()
    code, id_number = request.GET.get("code", "").strip(), request.GET.get("id_number", "").strip()
    errors = []
    if "code" in request.GET:
        if not code:
            errors.append(_("Enter the dossier code."))
        if not id_number:
            errors.append(_("Enter the ID number or tax code."))
        if not errors:
            found = national.find(code, id_number)
            if found is not None:
                return _dossier_page(request, found)
            errors.append(_("No dossier with this code and ID number."))
    return render(
        request, "sync/lookup.html", {"errors": errors, "code": code, "id_number": id_number}
    )


@require_GET
def figures(request):
    _national()
    by = request.GET.get("by", "province")
    if by not in national.GROUPS:
        by = "province"
    labels = {"province": _("Province"), "sector": _("Sector"), "procedure": _("Procedure")}
    return render(
        request,
        "sync/figures.html",
        {"rows": national.figures(by), "by": by, "labels": labels, "label": labels[by]},
    )
