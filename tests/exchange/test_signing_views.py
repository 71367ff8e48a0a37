"""The clerk signs an outgoing document's PDF with their personal certificate on the
new-document page; the package is still signed by the organisation when sent. Signatures are
checked by pyHanko against the CA and by poppler's pdfsig; bad files are form errors."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.models import AuditEntry
from egov.core.signing import verify_xml
from egov.exchange.models import OfficialDocument, Package
from egov.exchange.services.hub import packages
from tests.accounts.officials_support import make_official
from tests.core.signing_support import assert_pdfsig_shows, assert_valid_by_pyhanko
from tests.core.test_signing_personal import encrypted_pdf

from .test_documents import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(orgs):
    orgs.p.abbreviation = "UBND"
    orgs.p.save(update_fields=["abbreviation"])
    official = make_official("clerk_p", orgs.p, "clerk", subtree=True)
    official.title = "Văn thư"
    official.save(update_fields=["title"])
    user = official.user
    user.first_name, user.last_name = "Lê Thị", "Cúc"
    user.save(update_fields=["first_name", "last_name"])
    return user


def form(orgs, organisation, pdf, **extra):
    data = {
        "organisation": organisation.pk,
        "document_type": "CV",
        "subject": "Về việc ký số văn bản đi",
        "priority": "0",
        "recipients": orgs.q.code,
        "pdf": SimpleUploadedFile("cv.pdf", pdf),
        "sign": "on",
    }
    data.update(extra)
    return data


def test_the_clerk_signs_the_pdf_then_sends_it(client, orgs, clerk, tmp_path):
    client.force_login(clerk)
    page = client.get("/exchange/documents/new/").content.decode()
    assert 'name="sign"' in page
    response = client.post("/exchange/documents/new/", form(orgs, orgs.p, pdf_bytes()))
    assert response.status_code == 302, response.content.decode()[:3000]
    doc = OfficialDocument.objects.get()
    assert doc.signer_name == "Lê Thị Cúc" and doc.signer_position == "Văn thư"
    with default_storage.open(doc.pdf, "rb") as handle:
        pdf = handle.read()
    assert_valid_by_pyhanko(pdf, signer_cn="Lê Thị Cúc")
    assert_pdfsig_shows(pdf, tmp_path, "Lê Thị Cúc")
    entry = AuditEntry.objects.get(action="exchange.document_registered")
    assert entry.summary["signed_by"] == f"official-{clerk.official.pk}"
    # Sent: the package is signed by the organisation, as before.
    assert client.post(f"/exchange/documents/{doc.pk}/").status_code == 302
    package = Package.objects.get()
    check = verify_xml(packages.package_bytes(package, original=True))
    assert check.valid and check.signer_code == orgs.p.code


def test_a_clerk_signs_only_for_their_own_organisation(client, orgs, clerk):
    client.force_login(clerk)  # may send for commune A (subtree), but is an official of P
    response = client.post("/exchange/documents/new/", form(orgs, orgs.a, pdf_bytes()))
    assert response.status_code == 200
    assert "chỉ ký được văn bản của cơ quan này" in response.content.decode()
    assert not OfficialDocument.objects.exists()


@pytest.mark.parametrize(
    "pdf, words",
    [(b"not a pdf", "không phải là PDF"), (None, "mã hóa")],
    ids=["not-a-pdf", "encrypted"],
)
def test_a_file_that_cannot_be_signed_is_a_form_error(client, orgs, clerk, pdf, words):
    client.force_login(clerk)
    pdf = encrypted_pdf() if pdf is None else pdf
    response = client.post("/exchange/documents/new/", form(orgs, orgs.p, pdf))
    assert response.status_code == 200 and words in response.content.decode()
    assert not OfficialDocument.objects.exists()


def test_without_signing_an_unsigned_pdf_is_refused_and_a_name_is_needed(client, orgs, clerk):
    client.force_login(clerk)
    data = form(orgs, orgs.p, pdf_bytes())
    del data["sign"]
    response = client.post("/exchange/documents/new/", data).content.decode()
    assert "Trường này là bắt buộc" in response
    data = form(orgs, orgs.p, pdf_bytes(), signer_name="Nguyễn Văn A")
    del data["sign"]
    response = client.post("/exchange/documents/new/", data).content.decode()
    assert "Tệp PDF chưa được ký số." in response
    assert not OfficialDocument.objects.exists()


def test_someone_who_is_not_an_official_cannot_sign(client, orgs, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    response = client.post("/exchange/documents/new/", form(orgs, orgs.p, pdf_bytes()))
    assert response.status_code == 200
    assert "Chỉ cán bộ, công chức mới có chứng thư số cá nhân" in response.content.decode()
    assert not OfficialDocument.objects.exists()
