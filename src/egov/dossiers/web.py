"""Web helpers the dossier pages share: the citizen's pages in the portal and the officials'
workspace (one-stop shop). The portal depends on this app, never the other way round."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from egov.core.downloads import content_disposition
from egov.core.error_pages import PageNotFound
from egov.dossiers.acts import done_label
from egov.dossiers.models import Dossier, ProgressRecord, Status
from egov.dossiers.printed.data import FormError
from egov.dossiers.services.printed_forms import form_pdf

# The application form of a procedure version that has none.
EMPTY_SCHEMA = {"type": "object", "properties": {}}


def history_of(dossier: Dossier) -> list[dict]:
    rows = []
    records = ProgressRecord.objects.filter(dossier=dossier).select_related("organisation")
    for r in records.order_by("at", "id"):
        row = {
            "at": r.at,
            "action": done_label(r.action),
            "status": Status(r.to_status).label if r.to_status in Status.values else "",
            "unit": r.organisation.name if r.organisation else "",
        }
        row.update(actor=r.actor_name, title=r.actor_title, note=r.note, due=r.step_due_at)
        rows.append(row)
    return rows


def file_response(field_file, filename: str, content_type: str = ""):
    if not field_file:
        raise PageNotFound(_("The file cannot be found."))
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise PageNotFound(_("The file cannot be found.")) from exc
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def lookup_url(request, dossier: Dossier) -> str:
    # The portal's public lookup page, by its route name (form 01's QR code links there).
    return request.build_absolute_uri(reverse("portal:lookup")) + f"?code={dossier.code}"


def form_pdf_response(request, dossier: Dossier, kind: str) -> HttpResponse:
    """Form ``kind`` of ``dossier``, signed by its agency (404 when it does not exist yet)."""
    try:
        pdf = form_pdf(dossier, kind, actor=request, lookup_url=lookup_url(request, dossier))
    except FormError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{dossier.code}-mau-{kind}.pdf"
    response["Content-Disposition"] = content_disposition(name, attachment=False)
    return response
