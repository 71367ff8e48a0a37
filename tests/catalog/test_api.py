"""The catalogue API: list, search, get, form validation and the write API (egov.catalog.api)."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from egov.catalog.services.importing import import_file

from .conftest import DATA, birth_application, minimal_content

pytestmark = pytest.mark.django_db


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(orgs):
    import_file(DATA / "procedures.json")


@pytest.mark.slow  # imports the whole catalogue first (~1 s)
def test_list_search_and_get(catalogue, django_assert_max_num_queries):
    client = APIClient()
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/procedures/", {"page_size": 50})
    assert response.status_code == 200 and response.json()["count"] == 39
    found = client.get("/api/v1/procedures/", {"q": "dang ky khai sinh"}).json()["results"]
    assert "1.001193" in [p["code"] for p in found]
    info = client.get("/api/v1/procedures/", {"online_level": "info"}).json()["results"]
    assert "1.014331" in [p["code"] for p in info]
    assert {p["online_level"] for p in info} == {"info"} and "1.001193" not in str(info)
    detail = client.get("/api/v1/procedures/1.004222/").json()
    assert detail["number"] == 1 and detail["status"] == "published"
    channels = {c["channel"]: c for c in detail["content"]["channels"]}
    assert channels["in_person"]["time_limit"] == "7"
    assert channels["in_person"]["fees"][0]["amount_vnd"] == 20000
    assert client.get("/api/v1/procedures/1.004222/versions/").json()[0]["number"] == 1
    assert client.get("/api/v1/procedures/9.999999/").status_code == 404
    bad = client.get("/api/v1/procedures/", {"level": "galaxy"})
    assert bad.status_code == 400 and "level" in bad.json()["fields"]


@pytest.mark.slow  # imports the whole catalogue first (~1 s)
def test_form_validation_endpoint(catalogue, orgs):
    client = APIClient()
    schema = client.get("/api/v1/procedures/1.001193/form/").json()
    assert schema["title"] == "Tờ khai đăng ký khai sinh"
    ok = client.post(
        "/api/v1/procedures/1.001193/form/validate/", birth_application(orgs), format="json"
    )
    assert ok.status_code == 200
    bad = client.post("/api/v1/procedures/1.001193/form/validate/", {}, format="json")
    assert bad.status_code == 400 and "applicant" in bad.json()["fields"]


@pytest.mark.slow  # imports the whole catalogue first (~1 s)
def test_write_api_needs_the_scope_and_enforces_the_rules(catalogue):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    payload = minimal_content(code="9.000002")
    assert client.post("/api/v1/procedures/", payload, format="json").status_code in (401, 403)
    admin = get_user_model().objects.create_superuser("manager", password="x")  # noqa: S106
    client.force_authenticate(admin)
    created = client.post("/api/v1/procedures/", payload, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    empty = dict(payload, channels=[], name="Không có cách thức")
    assert (
        client.put(
            "/api/v1/procedures/9.000002/versions/1/content/", empty, format="json"
        ).status_code
        == 200
    )
    refused = client.post(
        "/api/v1/procedures/9.000002/versions/1/publish/",
        {"effective_from": "2026-12-01"},
        format="json",
    )
    assert refused.status_code == 400
    assert "no channel" in refused.json()["message"]
    client.put("/api/v1/procedures/9.000002/versions/1/content/", payload, format="json")
    published = client.post(
        "/api/v1/procedures/9.000002/versions/1/publish/",
        {"effective_from": "2026-12-01"},
        format="json",
    )
    assert published.status_code == 200 and published.json()["effective_from"] == "2026-12-01"
    again = client.put("/api/v1/procedures/9.000002/versions/1/content/", payload, format="json")
    assert again.status_code == 400
    draft = client.post("/api/v1/procedures/9.000002/drafts/")
    assert draft.status_code == 201 and draft.json()["number"] == 2
