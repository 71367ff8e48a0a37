"""Forms 01–04 are documents given to the applicant: issued once, then the same signed bytes."""

from __future__ import annotations

import pytest

from egov.core.models import AuditEntry
from egov.dossiers import services
from egov.dossiers.models import FormDocument
from egov.dossiers.printed.data import FormError
from egov.dossiers.services.printed_forms import form_pdf

from .core_support import submit, world  # noqa: F401

pytestmark = pytest.mark.django_db
LOOKUP = "https://dvc.example/tra-cuu-ho-so/"


def test_the_receipt_stays_the_document_the_applicant_got(world, tmp_path, settings):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    dossier = services.receive(submit(world), actor=None)
    first = form_pdf(dossier, "01", actor=None, lookup_url=LOOKUP)
    assert first.startswith(b"%PDF")
    issued = AuditEntry.objects.filter(action="dossiers.form_issued")
    assert list(issued.values_list("summary__form", flat=True)) == ["01"]
    # A supplement moves the due time; the receipt keeps the appointment it gave.
    request = services.request_supplement(dossier, actor=None, items=[{"name": "Giấy khai sinh"}])
    dossier = services.supplement(request.dossier, actor=None)
    again = form_pdf(dossier, "01", actor=None, lookup_url=LOOKUP)
    assert again == first
    assert FormDocument.objects.filter(dossier=dossier, kind="01").count() == 1
    assert issued.count() == 1
    # The supplement request is issued in its turn; the control sheet is never kept.
    assert form_pdf(dossier, "02", actor=None) == form_pdf(dossier, "02", actor=None)
    assert form_pdf(dossier, "05", actor=None).startswith(b"%PDF")
    assert sorted(FormDocument.objects.filter(dossier=dossier).values_list("kind", flat=True)) == [
        "01",
        "02",
    ]
    # A form that does not exist for the dossier is refused and nothing is kept.
    with pytest.raises(FormError):
        form_pdf(dossier, "03", actor=None)
    assert issued.count() == 2
