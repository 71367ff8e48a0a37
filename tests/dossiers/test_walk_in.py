"""Walk-in registration picks the procedure by searching its name (issue 13): a list of links
without JavaScript, the same list as an htmx fragment; nobody types the code."""

from __future__ import annotations

import pytest

from egov.dossiers.models import Dossier
from egov.dossiers.walk_in import procedure_matches

from .core_support import valid_form, world  # noqa: F401
from .web_support import flatten, pdf_file


@pytest.fixture
def w(world):  # noqa: F811
    return world


def test_matches_only_procedures_applied_for_in_person(w):
    assert [p.code for p in procedure_matches("cấp giấy xác nhận")] == ["9.000001"]
    assert [p.code for p in procedure_matches("cap giay xac nhan")] == ["9.000001"]
    assert procedure_matches("") == []
    w.version.channels.filter(kind="in_person").delete()
    assert procedure_matches("cấp giấy xác nhận") == []


def test_search_then_choose_without_javascript(client, w):
    client.force_login(w.desk.user)
    page = client.get("/one-stop/register/").content.decode()
    assert 'name="q"' in page and 'hx-get="/one-stop/register/procedures/"' in page
    assert 'name="procedure"' not in page  # no code to type
    found = client.get("/one-stop/register/", {"q": "giấy xác nhận"}).content.decode()
    link = "/one-stop/register/?procedure=9.000001&amp;q=gi%E1%BA%A5y%20x%C3%A1c%20nh%E1%BA%ADn"
    assert f'href="{link}">Thủ tục thử nghiệm cấp giấy xác nhận</a>' in found
    chosen = client.get("/one-stop/register/", {"procedure": "9.000001", "q": "giấy"})
    assert chosen.status_code == 200 and 'name="applicant_name"' in chosen.content.decode()
    none = client.get("/one-stop/register/", {"q": "hộ chiếu ngoại giao"}).content.decode()
    assert "Không có thủ tục nào có tên này" in none


def test_the_htmx_fragment(client, w):
    client.force_login(w.desk.user)
    response = client.get("/one-stop/register/procedures/", {"q": "xac nhan"}, HTTP_HX_REQUEST="1")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "9.000001" in html
    client.force_login(w.citizen.user)
    assert client.get("/one-stop/register/procedures/", {"q": "x"}).status_code == 403


# --- the applicant is asked once (issue 13): the desk's fields fill the form's applicant group --


def _post(w, **desk):
    docs = list(w.version.required_documents.order_by("order", "id"))
    post = flatten(valid_form(w))
    # The form's own name, ID number, phone and e-mail are not on the page: whatever is sent
    # for them is ignored.
    post.update(
        {
            "applicant.full_name": "Người Khác",
            "applicant.personal_id": "079099000999",
            "applicant.phone": "0987000999",
        }
    )
    post.update(procedure="9.000001", organisation=w.a.code, **{f"doc-{docs[0].pk}": pdf_file()})
    post.update(desk)
    return post


def test_the_form_does_not_ask_again_what_the_desk_asks(client, w):
    client.force_login(w.desk.user)
    page = client.get("/one-stop/register/", {"procedure": "9.000001"}).content.decode()
    for desk in ("applicant_name", "applicant_id", "applicant_phone", "applicant_email"):
        assert f'name="{desk}"' in page
    for asked_once in ("applicant.full_name", "applicant.personal_id", "applicant.phone"):
        assert f'name="{asked_once}"' not in page
    # The rest of the applicant group is still asked.
    assert 'name="applicant.residence.street"' in page and 'name="request"' in page


def test_the_desk_fields_fill_the_stored_form(client, w):
    client.force_login(w.desk.user)
    post = _post(
        w,
        applicant_name="Trần Thị Bình",
        applicant_id="001199000111",
        applicant_phone="0912000111",
        applicant_email="binh@example.vn",
    )
    response = client.post("/one-stop/register/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.applicant_name == "Trần Thị Bình"
    assert dossier.applicant_id_number == "001199000111"
    applicant = dossier.form_data["applicant"]
    assert applicant["full_name"] == "Trần Thị Bình"
    assert applicant["personal_id"] == "001199000111"
    assert applicant["phone"] == "0912000111" and applicant["email"] == "binh@example.vn"
    # The same shape as an online application's form data.
    assert set(dossier.form_data) == set(valid_form(w))
    assert set(applicant) == set(valid_form(w)["applicant"]) | {"email"}


def test_what_the_form_says_of_the_desk_fields_is_said_of_them(client, w):
    client.force_login(w.desk.user)
    post = _post(w, applicant_name="Trần Thị Bình", applicant_id="12345", applicant_phone="")
    response = client.post("/one-stop/register/", post)
    html = response.content.decode()
    assert response.status_code == 400
    start = html.index('class="govuk-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    # Said of the desk's fields, by their labels; no link to a field that is not on the page.
    assert "Số định danh hoặc mã số thuế:" in summary
    assert "Điện thoại: Trường này là bắt buộc." in summary
    assert "#f-applicant-personal_id" not in html and "#f-applicant-phone" not in html
    assert not Dossier.objects.exists()
