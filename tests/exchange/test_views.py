"""The clerk's pages: register and send, inbox with priorities, outbox, search, trail; no JS."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.signing import sign_pdf
from egov.exchange import edxml
from egov.exchange.models import Delivery, OfficialDocument, Package
from tests.accounts.officials_support import make_official
from tests.core.test_downloads import saved_as

from .conftest import PDF, make_package, signed
from .test_documents import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerks(orgs):
    orgs.p.abbreviation = "UBND"
    orgs.p.save(update_fields=["abbreviation"])
    return (
        make_official("clerk_p", orgs.p, "clerk").user,
        make_official("clerk_q", orgs.q, "clerk").user,
    )


def test_register_send_and_follow_a_document_through_the_pages(client, orgs, clerks):
    clerk_p, clerk_q = clerks
    client.force_login(clerk_p)
    page = client.get("/exchange/documents/new/")
    assert page.status_code == 200 and "Đăng ký văn bản đi" in page.content.decode()
    response = client.post(
        "/exchange/documents/new/",
        {
            "organisation": orgs.p.pk,
            "document_type": "QĐ",
            "subject": "Về việc thí điểm trục liên thông",
            "signer_name": "Nguyễn Văn A",
            "priority": "3",
            "due_date": "2026-12-15",
            "recipients": f"{orgs.q.code}",
            "pdf": SimpleUploadedFile("qd.pdf", sign_pdf(pdf_bytes(), orgs.p)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    doc = OfficialDocument.objects.get()
    response = client.post(f"/exchange/documents/{doc.pk}/")
    package = Package.objects.get()
    assert response["Location"] == f"/exchange/packages/{package.pk}/"
    outbox = client.get("/exchange/outbox/").content.decode()
    assert "1/QĐ-UBND" in outbox and "UBND tỉnh Q" in outbox and "Đang chờ" in outbox
    # The document's page shows the transport per recipient too (no relay on this hub).
    page = client.get(f"/exchange/documents/{doc.pk}/").content.decode()
    assert "UBND tỉnh Q" in page and "Đang chờ" in page and "qua trục quốc gia" not in page
    # The recipient's clerk sees it in the inbox, with its priority and due date.
    client.force_login(clerk_q)
    inbox = client.get("/exchange/").content.decode()
    assert "1/QĐ-UBND" in inbox and "Hỏa tốc" in inbox and "15/12/2026" in inbox
    delivery = Delivery.objects.get()
    client.post(f"/exchange/inbox/{delivery.pk}/acknowledge/")
    client.post(f"/exchange/inbox/{delivery.pk}/", {"code": "03", "description": ""})
    page = client.get(f"/exchange/inbox/{delivery.pk}/").content.decode()
    assert "Đã tiếp nhận" in page and "package" in page  # status and the trail
    pdf = client.get(f"/exchange/inbox/{delivery.pk}/attachments/0/")
    assert pdf.content.startswith(b"%PDF-")
    # Search by number, subject without diacritics, sender; nothing for another number.
    for q in ["1/QĐ", "thi diem truc", "tỉnh p"]:
        assert "1/QĐ-UBND" in client.get("/exchange/", {"q": q}).content.decode(), q
    assert "1/QĐ-UBND" not in client.get("/exchange/", {"q": "99/CV"}).content.decode()
    assert "1/QĐ-UBND" not in client.get("/exchange/", {"date_from": "2030-01-01"}).content.decode()
    # The sender sees the answer per recipient; others see nothing of it.
    client.force_login(clerk_p)
    assert "Đã tiếp nhận" in client.get(f"/exchange/packages/{package.pk}/").content.decode()
    assert client.get(f"/exchange/inbox/{delivery.pk}/").status_code == 404
    client.force_login(clerk_q)
    assert client.get(f"/exchange/packages/{package.pk}/").status_code == 404
    assert client.get(f"/exchange/documents/{doc.pk}/").status_code == 404


def test_pages_need_a_login(client):
    assert client.get("/exchange/").status_code == 302


def test_a_clerk_with_a_subtree_grant_may_register_for_the_organisations_below(client, orgs):
    clerk = make_official("clerk_p_all", orgs.p, "clerk", subtree=True).user
    only_p = make_official("clerk_p_only", orgs.p, "clerk").user
    client.force_login(clerk)
    choices = client.get("/exchange/documents/new/").context["form"].fields["organisation"]
    assert {o.code for o in choices.queryset} == {orgs.p.code, orgs.a.code}
    client.force_login(only_p)
    choices = client.get("/exchange/documents/new/").context["form"].fields["organisation"]
    assert {o.code for o in choices.queryset} == {orgs.p.code}


def test_the_only_issuing_organisation_is_chosen_already(client, orgs):
    only_p = make_official("clerk_p_only", orgs.p, "clerk").user
    client.force_login(only_p)
    page = client.get("/exchange/documents/new/")
    assert page.context["form"]["organisation"].value() == orgs.p.pk
    assert f'<option value="{orgs.p.pk}" selected>' in page.content.decode()
    client.force_login(make_official("clerk_p_all", orgs.p, "clerk", subtree=True).user)
    page = client.get("/exchange/documents/new/")  # two to choose from: none chosen
    assert page.context["form"]["organisation"].value() is None


def test_an_attachment_over_libxml2s_text_limit_is_shown_and_downloaded(client, orgs, clerks):
    from egov.exchange.services.hub import packages

    from .conftest import make_package, signed

    clerk_p, clerk_q = clerks
    big = b"%PDF-1.7\n" + bytes(7_600_000)  # one base64 text node over libxml2's 10 MB
    data = signed(make_package(orgs.p, [orgs.q], attachment=big), orgs.p)
    pkg = packages.accept_package(data, actor=clerk_p).package
    delivery = pkg.deliveries.get()
    client.force_login(clerk_q)
    assert client.get(f"/exchange/inbox/{delivery.pk}/").status_code == 200
    download = client.get(f"/exchange/inbox/{delivery.pk}/attachments/0/")
    assert download.status_code == 200 and download.content == big


# An attachment's name comes from the sending agency: its download cannot be turned into another
# file name, break the response, or carry a path (egov.core.downloads).
@pytest.mark.parametrize(
    "name, saved",
    [
        ("a\";filename*=UTF-8''evil.exe;x=\".pdf", "a\";filename*=UTF-8''evil.exe;x=\".pdf"),
        ("a\r\nb.pdf", "ab.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("Quyết định số 1.pdf", "Quyết định số 1.pdf"),
    ],
)
def test_an_attachment_is_saved_under_its_own_name(client, orgs, name, saved):
    from egov.exchange.services.hub import packages

    clerk_p = make_official("clerk_p", orgs.p, "clerk").user
    clerk_q = make_official("clerk_q", orgs.q, "clerk").user
    pkg = make_package(orgs.p, [orgs.q])
    pkg = dataclasses.replace(pkg, attachments=[edxml.Attachment(name, PDF, description="")])
    delivery = packages.accept_package(signed(pkg, orgs.p), actor=clerk_p).package.deliveries.get()
    client.force_login(clerk_q)
    response = client.get(f"/exchange/inbox/{delivery.pk}/attachments/0/")
    assert response.status_code == 200 and response.content == PDF
    assert saved_as(response["Content-Disposition"]) == saved
