"""The citizen's pages: apply online (form, uploads or data-store picks, fees and expected date),
my dossiers, downloads scoped to the owner, and the public lookup (status and dated history only,
"not found" for a wrong ID number, rate limited)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from egov.core.signing import verify_pdf
from egov.dossiers import services
from egov.dossiers.models import CitizenDataStoreEntry, Dossier, Status
from tests.dossiers.core_support import PDF, PNG, submit, world  # noqa: F401
from tests.dossiers.web_support import application_post, citizen_login, pdf_file

URL = "/procedures/9.000001/submit/"


@pytest.fixture
def w(world):  # noqa: F811
    return world


def test_anonymous_is_sent_to_the_citizen_login(client, w):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/oidc/login?")


def test_page_shows_fees_time_limit_expected_date_and_documents(client, w):
    citizen_login(client, w.citizen)
    page = client.get(URL + f"?agency_province={w.p.code}&agency={w.a.code}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'expected-due">' in html
    assert "/20" in html.split('expected-due">')[1][:40]  # a date, dd/mm/yyyy
    assert 'name="doc-' in html and "Tờ khai" in html
    assert 'name="agency"' in html and w.a.name in html
    # With htmx, choosing the agency fetches this page again and swaps in its expectation.
    assert 'id="expectation"' in html
    assert (
        'hx-get="/procedures/9.000001/submit/" hx-trigger="change" hx-include="#agency_province,'
        ' #agency" hx-target="#expectation" hx-select="#expectation" hx-swap="outerHTML"'
    ) in html


def test_citizen_applies_online_and_follows_the_dossier(client, w):
    citizen_login(client, w.citizen)
    docs = list(w.version.required_documents.order_by("order", "id"))
    post = application_post(w, **{f"doc-{docs[0].pk}": pdf_file()})
    response = client.post(URL, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get(applicant_citizen=w.citizen)
    assert response["Location"] == f"/my/dossiers/{dossier.code}/?submitted=1"
    assert dossier.status == Status.NEW and dossier.organisation == w.a
    assert dossier.code.startswith(w.a.code + "-")
    component = dossier.components.get()
    assert component.required_document_id == docs[0].pk and not component.reused

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert dossier.code in page.content.decode()
    listing = client.get("/my/dossiers/").content.decode()
    assert dossier.code in listing
    file = client.get(f"/my/dossiers/{dossier.code}/files/{component.pk}/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF


def test_a_document_picked_from_the_data_store_is_reused(client, w):
    entry = CitizenDataStoreEntry(
        citizen=w.citizen, name="Giấy khai sinh", issued_at=timezone.now()
    )
    entry.file.save("kq.pdf", ContentFile(PDF), save=True)
    citizen_login(client, w.citizen)
    docs = list(w.version.required_documents.order_by("order", "id"))
    page = client.get(URL).content.decode()
    assert f'name="store-{docs[1].pk}"' in page and "Giấy khai sinh" in page
    post = application_post(w, **{f"doc-{docs[0].pk}": pdf_file(), f"store-{docs[1].pk}": entry.pk})
    assert client.post(URL, post).status_code == 302
    reused = Dossier.objects.get().components.get(required_document=docs[1])
    assert reused.reused and reused.reused_from_id == entry.pk


def test_another_citizens_data_store_entry_cannot_be_picked(client, w):
    entry = CitizenDataStoreEntry(citizen=w.other, name="Của người khác", issued_at=timezone.now())
    entry.file.save("x.pdf", ContentFile(PDF), save=True)
    citizen_login(client, w.citizen)
    docs = list(w.version.required_documents.order_by("order", "id"))
    post = application_post(w, **{f"store-{docs[1].pk}": entry.pk})
    response = client.post(URL, post)
    assert response.status_code == 400
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"file": ("anh.pdf", PNG)}, "“anh.pdf”"),  # a PNG named .pdf: refused by content
        # (not the ID number: the e-ID's is fixed, tests/dossiers/test_prefill.py)
        ({"applicant.phone": "123"}, 'aria-invalid="true"'),
        ({"agency": ""}, 'id="agency-error"'),
    ],
)
def test_bad_input_is_refused_with_an_error_summary_and_nothing_written(client, w, change, message):
    citizen_login(client, w.citizen)
    docs = list(w.version.required_documents.order_by("order", "id"))
    name, content = change.pop("file", ("to-khai.pdf", PDF))
    post = application_post(w, **{f"doc-{docs[0].pk}": pdf_file(name, content)})
    post.update(change)
    response = client.post(URL, post)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert message in html
    assert not Dossier.objects.exists()


def test_only_the_owner_sees_the_dossier(client, w):
    dossier = submit(w)
    citizen_login(client, w.other)
    said = "Không có hồ sơ nào bạn được xem có mã này."
    for code in (dossier.code, "NO-SUCH-CODE"):
        response = client.get(f"/my/dossiers/{code}/", HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 404 and said in response.content.decode()
    component = dossier.components.get()
    assert client.get(f"/my/dossiers/{dossier.code}/files/{component.pk}/").status_code == 404
    # Another commune's official, on the officials' page: the same reason.
    client.force_login(w.desk_b.user)
    response = client.get(f"/one-stop/d/{dossier.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "No dossier you may see has this code." in response.content.decode()
    assert dossier.code not in client.get("/my/dossiers/").content.decode()


def test_owner_downloads_the_signed_receipt_once_received(client, w, settings, tmp_path):
    dossier = submit(w)
    citizen_login(client, w.citizen)
    assert client.get(f"/my/dossiers/{dossier.code}/forms/01.pdf").status_code == 404
    services.receive(dossier, actor=w.desk.user)
    response = client.get(f"/my/dossiers/{dossier.code}/forms/01.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    check = verify_pdf(response.content)
    assert check.valid and check.signer_code == w.a.code


def test_public_lookup_shows_status_and_history_only(client, w):
    dossier = submit(w)
    services.receive(dossier, actor=w.desk.user)
    page = client.get(f"/lookup/?code={dossier.code}")
    assert page.status_code == 200 and f'value="{dossier.code}"' in page.content.decode()
    found = client.post("/lookup/", {"code": dossier.code, "id_number": "001099012345"})
    html = found.content.decode()
    assert found.status_code == 200
    assert str(Status.RECEIVED.label) in html or "Đã tiếp nhận" in html
    assert html.count("<time ") >= 2
    # No personal data: not the name, nor the e-mail, nor the officials' names.
    for private in ("Nguyễn Văn An", "an@example.vn", "desk_a"):
        assert private not in html


def test_lookup_with_a_wrong_id_number_says_only_not_found(client, w):
    dossier = submit(w)
    wrong = client.post("/lookup/", {"code": dossier.code, "id_number": "001099099999"})
    unknown = client.post("/lookup/", {"code": "NO-SUCH", "id_number": "001099012345"})
    assert wrong.status_code == unknown.status_code == 404
    assert "Nguyễn Văn An" not in wrong.content.decode()

    def main(response):  # the page body without the CSRF token (different per response)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert main(wrong).replace(dossier.code, "NO-SUCH") == main(unknown)


def test_lookup_is_rate_limited(client, w, settings):
    settings.EGOV_LOOKUP_RATE = "2/min"
    for _ in range(2):
        assert client.post("/lookup/", {"code": "X", "id_number": "1"}).status_code == 404
    limited = client.post("/lookup/", {"code": "X", "id_number": "1"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_applicant_supplements_from_their_page(client, w):
    dossier = submit(w)
    services.receive(dossier, actor=w.desk.user)
    services.request_supplement(dossier, actor=w.desk.user, items=[{"name": "Bản sao CCCD"}])
    citizen_login(client, w.citizen)
    page = client.get(f"/my/dossiers/{dossier.code}/").content.decode()
    assert "Bản sao CCCD" in page and 'value="supplement"' in page
    response = client.post(
        f"/my/dossiers/{dossier.code}/",
        {"act": "supplement", "files": [pdf_file("cccd.pdf")], "note": ""},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.components.filter(from_supplement=True).count() == 1


def test_my_dossiers_in_a_fixed_number_of_queries(client, w, django_assert_max_num_queries):
    for _ in range(5):
        submit(w)
    citizen_login(client, w.citizen)
    with django_assert_max_num_queries(10):
        page = client.get("/my/dossiers/").content.decode()
    assert page.count("/my/dossiers/" + w.a.code) == 5


def test_procedure_without_online_channel_has_no_submit_page(client, w):
    w.version.channels.filter(kind="online").delete()  # test data: the catalogue as stored
    citizen_login(client, w.citizen)
    assert client.get(URL).status_code == 404


def test_a_citizen_acting_for_a_business_applies_for_it(client, w):
    from egov.accounts.models import BusinessRepresentation
    from egov.accounts.services.citizens import SESSION_ACTING_FOR

    BusinessRepresentation.objects.create(
        citizen=w.citizen, tax_code="0101234567", business_name="Công ty TNHH An Bình"
    )
    citizen_login(client, w.citizen)
    session = client.session
    session[SESSION_ACTING_FOR] = "0101234567"
    session.save()
    assert "Công ty TNHH An Bình" in client.get(URL).content.decode()
    docs = list(w.version.required_documents.order_by("order", "id"))
    response = client.post(URL, application_post(w, **{f"doc-{docs[0].pk}": pdf_file()}))
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.applicant_kind == "business"
    assert dossier.applicant_id_number == "0101234567"
    assert dossier.applicant_name == "Công ty TNHH An Bình"
    assert dossier.applicant_citizen == w.citizen  # the representative follows it


def _business_result(citizen=None, tax_code="0101234567"):
    entry = CitizenDataStoreEntry(
        citizen=citizen, tax_code=tax_code, name="Giấy phép của công ty", issued_at=timezone.now()
    )
    entry.file.save("gp.pdf", ContentFile(PDF), save=True)
    return entry


def _act_for(client, tax_code):
    from egov.accounts.services.citizens import SESSION_ACTING_FOR

    session = client.session
    session[SESSION_ACTING_FOR] = tax_code
    session.save()


def test_a_business_result_is_not_offered_as_the_citizens_own(client, w):
    # A result of a dossier she filed for a business is the business's: applying for herself
    # she may neither see nor pick it (before: listed and reused, then downloadable).
    entry = _business_result(citizen=w.citizen)
    citizen_login(client, w.citizen)
    docs = list(w.version.required_documents.order_by("order", "id"))
    assert "Giấy phép của công ty" not in client.get(URL).content.decode()
    post = application_post(w, **{f"doc-{docs[0].pk}": pdf_file(), f"store-{docs[1].pk}": entry.pk})
    assert client.post(URL, post).status_code == 400
    assert not Dossier.objects.exists()


def test_a_representative_picks_from_her_business_store_only(client, w):
    from egov.accounts.models import BusinessRepresentation

    BusinessRepresentation.objects.create(citizen=w.citizen, tax_code="0101234567")
    mine = _business_result()
    others = _business_result(tax_code="0109876543")
    citizen_login(client, w.citizen)
    docs = list(w.version.required_documents.order_by("order", "id"))
    # A session saying she acts for a business she does not represent gives her own name.
    _act_for(client, "0109876543")

    def picking(entry):
        return application_post(
            w, **{f"doc-{docs[0].pk}": pdf_file(), f"store-{docs[1].pk}": entry.pk}
        )

    assert client.post(URL, picking(others)).status_code == 400
    assert not Dossier.objects.exists()
    _act_for(client, "0101234567")
    assert client.post(URL, picking(others)).status_code == 400
    assert not Dossier.objects.exists()
    post = picking(mine)
    assert client.post(URL, post).status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.applicant_id_number == "0101234567"
    assert dossier.components.get(reused=True).reused_from == mine


def test_applicant_withdraws_with_a_reason(client, w):
    dossier = submit(w)
    citizen_login(client, w.citizen)
    page = f"/my/dossiers/{dossier.code}/"
    response = client.post(page, {"act": "withdraw", "reason": "Nộp nhầm thủ tục"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN and dossier.reason == "Nộp nhầm thủ tục"
    assert 'value="withdraw"' not in client.get(page).content.decode()


def test_after_submitting_the_page_shows_the_expected_date_and_the_fees(client, w):
    """Issue 13: as if received now, through the agency's working calendar; then the due time."""
    from egov.catalog.models import Fee
    from egov.core.calendar import WorkingCalendar

    channel = w.version.channels.get(kind="online")
    Fee.objects.create(channel=channel, amount_vnd=10000, description="Lệ phí đăng ký")
    dossier = submit(w)
    citizen_login(client, w.citizen)
    html = client.get(f"/my/dossiers/{dossier.code}/?submitted=1").content.decode()
    expected = html.split('expected-due">')[1][:16]
    due = WorkingCalendar.for_organisation(w.a).due(timezone.now(), 3, "working_days")
    assert expected == timezone.localtime(due).strftime("%d/%m/%Y %H:%M")
    assert "10.000\u00a0₫ (Lệ phí đăng ký)" in html.split('fees">')[1][:80]
    # Once received, the due time fixed at receipt replaces the estimate.
    services.receive(dossier, actor=w.desk.user)
    html = client.get(f"/my/dossiers/{dossier.code}/").content.decode()
    assert 'expected-due"' not in html and "Hẹn trả kết quả" in html


def test_the_two_submit_buttons_say_which_is_which(client, w):
    """Issue 13: "Show communes" only refreshes the list; the last button sends the dossier."""
    citizen_login(client, w.citizen)
    html = client.get(URL).content.decode()
    assert 'name="_agency_refresh" value="1" aria-describedby="agency-refresh-hint"' in html
    assert 'id="agency-refresh-hint">Nút này chỉ hiện danh sách xã, phường bên dưới' in html
    assert 'aria-describedby="submit-hint">Nộp hồ sơ</button>' in html
    assert 'id="submit-hint">Khi đã điền đủ các mục trên, nút này gửi hồ sơ' in html
