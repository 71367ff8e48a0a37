"""Walk-in registration picks the procedure by searching its name (issue 13): a list of links
without JavaScript, the same list as an htmx fragment; nobody types the code."""

from __future__ import annotations

import pytest

from egov.dossiers.walk_in import procedure_matches

from .core_support import world  # noqa: F401


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
