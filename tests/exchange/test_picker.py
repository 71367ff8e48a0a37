"""Recipients are picked by searching organisation names (issue 13): without JavaScript through
the register page's Search button, with htmx through the fragment; codes are never typed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.signing import sign_pdf
from egov.exchange.models import OfficialDocument
from egov.exchange.picker import matches
from tests.accounts.officials_support import make_official

from .test_documents import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(orgs):
    return make_official("clerk_p", orgs.p, "clerk").user


def test_matches_fold_diacritics_and_need_every_word(orgs):
    assert [o.code for o in matches("tinh q")] == [orgs.q.code]
    assert [o.code for o in matches("UBND Tỉnh")] == [orgs.p.code, orgs.q.code]
    assert matches("") == [] and matches("không có") == []
    assert {o.code for o in matches("ubnd", exclude=[orgs.p.code])} == {orgs.q.code, orgs.a.code}


def test_without_javascript_search_tick_and_register(client, orgs, clerk):
    client.force_login(clerk)
    page = client.get("/exchange/documents/new/").content.decode()
    assert 'name="recipient_q"' in page and 'hx-get="/exchange/documents/new/recipients/"' in page
    typed = {
        "organisation": orgs.p.pk,
        "document_type": "CV",
        "subject": "Về việc thử",
        "signer_name": "Nguyễn Văn A",
        "priority": "0",
    }
    # The Search button sends the form back: nothing registered, the matches to tick, the
    # subject kept.
    found = client.post(
        "/exchange/documents/new/", {**typed, "recipient_q": "tinh q", "_find_recipients": "1"}
    )
    html = found.content.decode()
    assert found.status_code == 200 and not OfficialDocument.objects.exists()
    assert f'value="{orgs.q.code}">' in html and "UBND tỉnh Q</label>" in html
    assert "Về việc thử" in html and "UBND tỉnh P</label>" not in html
    # A second search keeps the ticked recipient, ticked.
    again = client.post(
        "/exchange/documents/new/",
        {**typed, "recipients": orgs.q.code, "recipient_q": "xa a", "_find_recipients": "1"},
    ).content.decode()
    assert f'value="{orgs.q.code}" checked>' in again and "UBND xã A</label>" in again
    pdf = SimpleUploadedFile("cv.pdf", sign_pdf(pdf_bytes(), orgs.p))
    response = client.post(
        "/exchange/documents/new/", {**typed, "recipients": [orgs.q.code, orgs.a.code], "pdf": pdf}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert {o.code for o in OfficialDocument.objects.get().recipients.all()} == {
        orgs.q.code,
        orgs.a.code,
    }


def test_no_recipient_is_an_error_not_a_document(client, orgs, clerk):
    client.force_login(clerk)
    pdf = SimpleUploadedFile("cv.pdf", sign_pdf(pdf_bytes(), orgs.p))
    response = client.post(
        "/exchange/documents/new/",
        {
            "organisation": orgs.p.pk,
            "document_type": "CV",
            "subject": "S",
            "signer_name": "A",
            "priority": "0",
            "pdf": pdf,
        },
    )
    assert response.status_code == 200 and not OfficialDocument.objects.exists()
    assert 'id="recipients-error"' in response.content.decode()


def test_the_htmx_fragment_lists_ticked_then_matches(client, orgs, clerk):
    client.force_login(clerk)
    response = client.get(
        "/exchange/documents/new/recipients/",
        {"recipient_q": "ubnd", "recipients": [orgs.q.code]},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.index(f'value="{orgs.q.code}" checked') < html.index(f'value="{orgs.p.code}"')
    assert html.count(orgs.q.code) == 1
    client.logout()
    assert client.get("/exchange/documents/new/recipients/").status_code == 302
