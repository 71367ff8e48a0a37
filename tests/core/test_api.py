import datetime as dt

import pytest

from egov.core.services import organisations as svc
from egov.core.services.organisations import OrganisationData

pytestmark = pytest.mark.django_db
URL = "/api/v1/organisations/"


@pytest.fixture
def tree():
    hn = svc.create_organisation(OrganisationData("000.00.00.H26", "Thành phố Hà Nội", "province"))
    hue = svc.create_organisation(OrganisationData("000.00.00.H46", "Thành phố Huế", "province"))
    communes = [
        svc.create_organisation(OrganisationData(f"000.00.{i:02d}.H26", name, "commune", parent=hn))
        for i, name in enumerate(["Phường Hoàn Kiếm", "Phường Ba Đình", "Xã Đông Anh"], start=1)
    ]
    svc.create_organisation(
        OrganisationData("000.00.01.H46", "Phường Thuận Hóa", "commune", parent=hue)
    )
    ministry = svc.create_organisation(
        OrganisationData(
            "000.00.00.G05", "Bộ Kế hoạch và Đầu tư", "central", valid_to=dt.date(2025, 2, 28)
        )
    )
    return {"hn": hn, "hue": hue, "communes": communes, "old_ministry": ministry}


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_name_search_ignores_diacritics_and_case(client, tree):
    assert names(client.get(URL, {"name": "ha noi"})) == ["Thành phố Hà Nội"]
    assert names(client.get(URL, {"name": "HÀ NỘI"})) == ["Thành phố Hà Nội"]
    assert names(client.get(URL, {"name": "dong anh"})) == ["Xã Đông Anh"]


def test_filters_level_parent_code(client, tree):
    assert len(names(client.get(URL, {"level": "commune"}))) == 4
    assert names(client.get(URL, {"parent": "000.00.00.H46"})) == ["Phường Thuận Hóa"]
    assert len(names(client.get(URL, {"parent": tree["hn"].pk}))) == 3
    assert names(client.get(URL, {"code": "000.00.02.H26"})) == ["Phường Ba Đình"]


def test_validity_filter_keeps_merged_units_resolvable(client, tree):
    assert "Bộ Kế hoạch và Đầu tư" not in names(client.get(URL))
    old = names(client.get(URL, {"code": "000.00.00.G05", "valid_on": "2024-12-31"}))
    assert old == ["Bộ Kế hoạch và Đầu tư"]
    assert names(client.get(URL, {"code": "000.00.00.G05", "valid_on": "any"})) == old


def test_subtree(client, tree):
    response = client.get(f"{URL}{tree['hn'].pk}/subtree/")
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(
        ["Thành phố Hà Nội", "Phường Hoàn Kiếm", "Phường Ba Đình", "Xã Đông Anh"]
    )


def test_list_query_count_does_not_grow_with_rows(client, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == 6


@pytest.mark.parametrize(
    ("lang", "text"),
    [("vi", "Cấp không hợp lệ"), ("en", "Unknown level")],
)
def test_bad_filter_gives_json_error_in_the_callers_language(client, tree, lang, text):
    response = client.get(URL, {"level": "galaxy"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body) == {"code", "message", "fields"}
    assert text in body["fields"]["level"][0]


def test_bad_date_and_unknown_object(client, tree):
    response = client.get(URL, {"valid_on": "31/12/2024"})
    assert response.status_code == 400 and "valid_on" in response.json()["fields"]
    missing = client.get(f"{URL}999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/organisations/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "/api/v1/organisations/{id}/subtree/" in docs.content.decode()
