"""The officials' workspace: queues by status and due time for my organisations, filters, bulk
acts, the dossier page (history, documents, forms, acts) through to the result in the applicant's
data store, walk-in registration, the tracking book as signed PDF and .xlsx, and scope checks."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from egov.core.signing import verify_pdf
from egov.dossiers.models import CitizenDataStoreEntry, Dossier, Result, Status
from tests.core.test_downloads import saved_as

from .core_support import submit, valid_form, walk_in, world  # noqa: F401
from .web_support import citizen_login, flatten, pdf_file, small_signed_pdf


@pytest.fixture
def w(world):  # noqa: F811
    return world


def act(client, dossier, name, **data):
    response = client.post(f"/one-stop/d/{dossier.code}/act/", {"act": name, **data})
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier.refresh_from_db()
    return dossier


def test_only_officials_enter(client, w):
    assert client.get("/one-stop/").status_code == 302  # to the officials' login
    citizen_login(client, w.citizen)
    assert client.get("/one-stop/").status_code == 403
    client.force_login(w.desk.user)
    assert ">Danh sách hồ sơ</h1>" in client.get("/one-stop/").content.decode()
    english = client.get("/one-stop/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Dossier queue</h1>" in english


def test_queue_lists_my_organisations_dossiers_only(client, w, django_assert_max_num_queries):
    mine = [submit(w) for _ in range(3)]
    other = submit(w, organisation=w.b)
    client.force_login(w.desk.user)
    with django_assert_max_num_queries(12):
        html = client.get("/one-stop/").content.decode()
    assert all(d.code in html for d in mine) and other.code not in html
    # Filters: status 2 has none yet; free text finds one code.
    assert mine[0].code not in client.get("/one-stop/?status=2").content.decode()
    # By role: new dossiers wait for the desk, not for the processor.
    assert mine[0].code in client.get("/one-stop/?role=mine").content.decode()
    client.force_login(w.processor.user)
    assert mine[0].code not in client.get("/one-stop/?role=mine").content.decode()
    assert mine[0].code in client.get("/one-stop/").content.decode()
    client.force_login(w.desk.user)
    found = client.get(f"/one-stop/?q={mine[1].code}").content.decode()
    assert mine[1].code in found and mine[0].code not in found
    # Another agency's official cannot open it.
    client.force_login(w.desk_b.user)
    assert client.get(f"/one-stop/d/{mine[0].code}/").status_code == 404
    assert client.get(f"/one-stop/d/{mine[0].code}/forms/05.pdf").status_code == 404


def test_bulk_receive_and_assign(client, w):
    dossiers = [submit(w) for _ in range(3)]
    other = submit(w, organisation=w.b)
    client.force_login(w.desk.user)
    codes = [d.code for d in dossiers[:2]] + [other.code]
    response = client.post("/one-stop/bulk/", {"act": "receive", "dossier": codes})
    assert response.status_code == 302
    statuses = dict(Dossier.objects.values_list("code", "status"))
    assert statuses[dossiers[0].code] == statuses[dossiers[1].code] == Status.RECEIVED
    assert statuses[dossiers[2].code] == Status.NEW
    assert statuses[other.code] == Status.NEW  # not visible to this desk: untouched
    queue = client.get("/one-stop/?status=2").content.decode()
    assert "2 dossiers" in queue or "2 hồ sơ" in queue

    client.post("/one-stop/bulk/", {"act": "start_processing", "dossier": codes[:2]})
    client.force_login(w.processor.user)
    at_my_step = client.get("/one-stop/?role=mine").content.decode()
    assert codes[0] in at_my_step and dossiers[2].code not in at_my_step
    response = client.post(
        "/one-stop/bulk/",
        {"act": "assign", "dossier": codes[:2], "official": w.processor.pk},
    )
    assert response.status_code == 302
    mine = client.get("/one-stop/?mine=1").content.decode()
    assert codes[0] in mine and codes[1] in mine and dossiers[2].code not in mine


def test_a_dossier_from_receipt_to_result(client, w, settings):
    dossier = submit(w)
    client.force_login(w.desk.user)
    page = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    assert 'value="receive"' in page and 'value="approve"' not in page
    act(client, dossier, "receive")
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None
    receipt = client.get(f"/one-stop/d/{dossier.code}/forms/01.pdf")
    assert receipt.status_code == 200 and verify_pdf(receipt.content).valid
    act(client, dossier, "start_processing")
    assert dossier.status == Status.PROCESSING

    client.force_login(w.processor.user)
    act(client, dossier, "forward")
    client.force_login(w.approver.user)
    unsigned = client.post(
        f"/one-stop/d/{dossier.code}/act/", {"act": "attach_result", "result": pdf_file("kq.pdf")}
    )
    assert (
        unsigned.status_code == 400 and 'class="govuk-error-summary"' in unsigned.content.decode()
    )
    assert not Result.objects.filter(dossier=dossier).exists()
    act(client, dossier, "attach_result", result=pdf_file("kq.pdf", small_signed_pdf(w.a)))
    act(client, dossier, "approve")
    assert dossier.status == Status.PROCESSED

    client.force_login(w.desk.user)
    act(client, dossier, "return_result")
    assert dossier.status == Status.RESULT_RETURNED
    entry = CitizenDataStoreEntry.objects.get(citizen=w.citizen)
    assert entry.source_dossier_id == dossier.pk

    page = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    for word in ("receive", "start_processing", "forward", "approve", "return_result"):
        assert f'value="{word}"' not in page  # no acts left but none offered wrongly
    assert page.count("<time ") >= 5  # the whole history
    control = client.get(f"/one-stop/d/{dossier.code}/forms/05.pdf")
    check = verify_pdf(control.content)
    assert check.valid and check.signer_code == w.a.code
    result = client.get(f"/one-stop/d/{dossier.code}/result/")
    assert result.status_code == 200

    # The applicant sees the result and can pick it in a later application.
    citizen_login(client, w.citizen)
    mine = client.get(f"/my/dossiers/{dossier.code}/").content.decode()
    assert f"/my/dossiers/{dossier.code}/result/" in mine
    submit_page = client.get("/procedures/9.000001/submit/").content.decode()
    assert f'<option value="{entry.pk}"' in submit_page


def test_refuse_supplement_and_apology_forms(client, w):
    refused, asked = submit(w), submit(w)
    client.force_login(w.desk.user)
    act(client, refused, "refuse", reason="Không thuộc thẩm quyền")
    assert refused.status == Status.NOT_RECEIVED
    assert verify_pdf(client.get(f"/one-stop/d/{refused.code}/forms/03.pdf").content).valid

    act(client, asked, "receive")
    act(client, asked, "request_supplement", items="Bản sao CCCD\nGiấy ủy quyền", reason="Thiếu")
    assert asked.status == Status.SUPPLEMENT_REQUESTED
    assert verify_pdf(client.get(f"/one-stop/d/{asked.code}/forms/02.pdf").content).valid
    # A second request is not offered, and refused if posted.
    page = client.get(f"/one-stop/d/{asked.code}/").content.decode()
    assert 'value="request_supplement"' not in page
    again = client.post(
        f"/one-stop/d/{asked.code}/act/",
        {"act": "request_supplement", "items": "Khác", "reason": "x"},
    )
    assert again.status_code == 400 and 'class="govuk-error-summary"' in again.content.decode()

    act(client, asked, "supplement", files=[pdf_file("cccd.pdf")])
    later = (timezone.localtime(asked.due_at) + dt.timedelta(days=7)).date().isoformat()
    act(client, asked, "issue_apology", reason="Cần xác minh", new_due_at=later)
    assert timezone.localtime(asked.due_at).date().isoformat() == later
    assert verify_pdf(client.get(f"/one-stop/d/{asked.code}/forms/04.pdf").content).valid


def test_out_of_order_act_is_refused_clearly(client, w):
    dossier = submit(w)
    client.force_login(w.approver.user)
    response = client.post(f"/one-stop/d/{dossier.code}/act/", {"act": "approve"})
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW


def test_walk_in_registration(client, w):
    client.force_login(w.desk.user)
    page = client.get("/one-stop/register/?procedure=9.000001")
    assert page.status_code == 200 and 'name="applicant_name"' in page.content.decode()
    docs = list(w.version.required_documents.order_by("order", "id"))
    post = flatten(valid_form(w))
    post.update(
        procedure="9.000001",
        organisation=w.a.code,
        applicant_name="Trần Thị Bình",
        applicant_id="001199000111",
        applicant_phone="0912000111",
        **{f"doc-{docs[0].pk}": pdf_file()},
    )
    response = client.post("/one-stop/register/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get(applicant_id_number="001199000111")
    assert dossier.status == Status.RECEIVED and dossier.channel.kind == "in_person"
    assert response["Location"] == f"/one-stop/d/{dossier.code}/"
    # A desk of another agency cannot register for this one.
    client.force_login(w.desk_b.user)
    post["organisation"] = w.a.code
    post["applicant_id"] = "001199000222"
    assert client.post("/one-stop/register/", post).status_code == 400
    assert not Dossier.objects.filter(applicant_id_number="001199000222").exists()


def test_tracking_book_pdf_and_xlsx(client, w):
    received = walk_in(w)
    client.force_login(w.desk.user)
    # The book's days are local (Asia/Ho_Chi_Minh) days: from 17:00 UTC they are a day ahead.
    day = timezone.localtime(received.received_at).date().isoformat()
    query = f"?org={w.a.code}&from={day}&to={day}"
    pdf = client.get(f"/one-stop/tracking-book/{query}&format=pdf")
    assert pdf.status_code == 200 and verify_pdf(pdf.content).valid
    xlsx = client.get(f"/one-stop/tracking-book/{query}&format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    codes = [row[1].value for row in ws.iter_rows(min_row=6)]
    assert codes == [received.code]
    # Another organisation's book is not mine to print.
    other = client.get(f"/one-stop/tracking-book/?org={w.b.code}&from={day}&to={day}&format=xlsx")
    assert other.status_code == 400


def test_on_time_counts_per_agency(client, w):
    walk_in(w)
    walk_in(w)
    walk_in(w, organisation=w.b, actor=w.desk_b.user)
    client.force_login(w.desk.user)
    page = client.get("/one-stop/on-time/")
    html = page.content.decode()
    assert page.status_code == 200
    row = re.search(r"<tr[^>]*><th scope=\"row\"[^>]*>Xã A</th>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells == ["0", "0", "0", "—", "2", "0", "2"]
    assert "Xã B" not in html  # not mine


def _ministry():
    from egov.core.services import organisations as org_services
    from egov.core.services.organisations import OrganisationData

    return org_services.create_organisation(
        OrganisationData("000.00.00.G20", "Bộ Quốc phòng", "central")
    )


def test_the_transfer_picker_lists_only_agencies_that_handle_the_procedure(client, w):
    ministry = _ministry()
    dossier = walk_in(w)
    client.force_login(w.desk.user)
    act(client, dossier, "start_processing")
    client.force_login(w.processor.user)
    page = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    picker = re.search(r'<select [^>]*id="transfer-to" name="to_organisation">(.*?)</select>', page)
    assert picker is not None
    # The procedure is done by communes: commune B, not the provinces nor the ministry, and
    # not commune A which has it already.
    assert re.findall(r'<option value="([^"]*)"', picker.group(1)) == [w.b.code]
    # A forged POST naming another agency is refused and changes nothing.
    for code in (ministry.code, w.p.code):
        response = client.post(
            f"/one-stop/d/{dossier.code}/act/", {"act": "transfer", "to_organisation": code}
        )
        assert response.status_code == 400
        assert "không thực hiện thủ tục này" in response.content.decode()
        dossier.refresh_from_db()
        assert dossier.organisation == w.a and not dossier.transfers.exists()


def test_transfer_to_another_agency_both_see_the_history(client, w):
    dossier = walk_in(w)
    client.force_login(w.desk.user)
    act(client, dossier, "start_processing")
    client.force_login(w.processor.user)
    act(client, dossier, "transfer", to_organisation=w.b.code, reason="Liên thông")
    assert dossier.organisation == w.b
    client.force_login(w.desk_b.user)
    assert dossier.code in client.get("/one-stop/").content.decode()
    theirs = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    client.force_login(w.desk.user)
    ours = client.get(f"/one-stop/d/{dossier.code}/")
    assert ours.status_code == 200  # the sending agency still reads it
    for page in (theirs, ours.content.decode()):
        assert "Xã A → Xã B" in page and page.count("<time ") >= 3


# --- bad input (issue 12 §4): a 400 with a message, never a 500; text kept in NFC -------------


def _walk_in_post(w, name: str, filename: str = "to-khai.pdf") -> dict:
    docs = list(w.version.required_documents.order_by("order", "id"))
    post = flatten(valid_form(w))
    post.update(
        procedure="9.000001",
        organisation=w.a.code,
        applicant_name=name,
        applicant_id="001199000111",
        applicant_phone="0912000111",
        **{f"doc-{docs[0].pk}": pdf_file(filename)},
    )
    return post


@pytest.mark.parametrize("bad", ["\x00", "Trần\x00Bình"])
def test_a_nul_in_the_walk_in_form_is_a_400_page_and_nothing_is_written(client, w, bad):
    client.force_login(w.desk.user)
    response = client.post("/one-stop/register/", _walk_in_post(w, bad))
    assert response.status_code == 400
    assert "không thể lưu" in response.content.decode()
    assert not Dossier.objects.exists()


def test_an_nfd_name_is_stored_in_nfc_and_the_search_finds_it(client, w):
    nfc = "Trần Thị Bình"
    nfd = unicodedata.normalize("NFD", nfc)
    client.force_login(w.desk.user)
    response = client.post("/one-stop/register/", _walk_in_post(w, nfd))
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.applicant_name == nfc
    for typed in (nfc, nfd):
        assert dossier.code in client.get("/one-stop/", {"q": typed}).content.decode()


def test_downloads_carry_the_name_safely(client, w):
    client.force_login(w.desk.user)
    name = unicodedata.normalize("NFD", "Quyết định số 1.pdf")
    response = client.post("/one-stop/register/", _walk_in_post(w, "An", filename=name))
    assert response.status_code == 302, response.content.decode()[:3000]
    component = Dossier.objects.get().components.get()
    download = client.get(f"/one-stop/d/{component.dossier.code}/files/{component.pk}/")
    assert download.status_code == 200
    assert saved_as(download["Content-Disposition"]) == "Quyết định số 1.pdf"  # NFC
    assert download["Content-Disposition"].startswith("attachment; ")


@pytest.mark.parametrize(
    "query", ["from=2026-02-30", "to=2026-13-01", "from=2026-02-30&format=xlsx", "from=abc"]
)
def test_a_day_that_does_not_exist_is_explained_in_the_tracking_book(client, w, query):
    client.force_login(w.desk.user)
    response = client.get(f"/one-stop/tracking-book/?org={w.a.code}&{query}")
    assert response.status_code == 400
    assert "không phải là ngày" in response.content.decode()


@pytest.mark.parametrize("query", ["from=2026-02-30", "to=2026-13-01"])
def test_a_day_that_does_not_exist_is_explained_in_on_time(client, w, query):
    client.force_login(w.desk.user)
    response = client.get(f"/one-stop/on-time/?{query}")
    assert response.status_code == 400
    assert "không phải là ngày" in response.content.decode()


def test_the_tracking_book_pdf_is_named_by_the_helper(client, w):
    received = walk_in(w)
    client.force_login(w.desk.user)
    day = timezone.localtime(received.received_at).date().isoformat()
    pdf = client.get(f"/one-stop/tracking-book/?org={w.a.code}&from={day}&to={day}&format=pdf")
    assert pdf["Content-Disposition"].startswith("inline; filename=")
    assert saved_as(pdf["Content-Disposition"]).startswith(f"so-theo-doi-{w.a.code}")
