"""The table of acceptance and explanation, downloaded from the consultation's page: public
once the result is published (404 before), the sealed PDF or the .docx as stored then."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.consultation.models import SummaryTable
from egov.consultation.services.docx_import import DOCX
from egov.core.error_pages import PageNotFound
from egov.dossiers.web import file_response

TYPES = {"pdf": "application/pdf", "docx": DOCX}


@require_GET
def summary_file(request, code, kind):
    table = (
        SummaryTable.objects.select_related("consultation").filter(consultation__code=code).first()
    )
    if table is None or kind not in TYPES:
        raise PageNotFound(_("This consultation has no published summary table."))
    return file_response(getattr(table, kind), f"{code}-tiep-thu-giai-trinh.{kind}", TYPES[kind])
