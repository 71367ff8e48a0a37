"""The petitions' API: submit with identity, track, act with scopes; refusals as 4xx JSON."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.petitions.models import Petition, Status

from ..dossiers.web_support import citizen_login
from .conftest import at_commune, submitted

pytestmark = pytest.mark.django_db

BODY = {"title": "Đường ngập", "content": "Mưa là ngập.", "category": "regulations"}


def _client(user=None, citizen=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    if citizen is not None:
        citizen_login(client, citizen)
    elif user is not None:
        client.force_login(user)
    return client


def test_a_citizen_submits_and_tracks(world):
    client = _client(citizen=world.citizen)
    response = client.post("/api/v1/petitions/", BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert response.json()["status"] == Status.RECEIVED
    tracked = client.get(f"/api/v1/petitions/{code}/").json()
    assert [row["act"] for row in tracked["timeline"]] == ["Đã gửi"]
    assert [p["code"] for p in client.get("/api/v1/petitions/").json()["results"]] == [code]


def test_no_identity_no_petition(world):
    for client in (_client(), _client(user=world.desk_a.user)):
        response = client.post("/api/v1/petitions/", BODY, content_type="application/json")
        assert response.status_code in {401, 403}
    assert not Petition.objects.exists()


def test_empty_content_is_a_400_in_vietnamese(world):
    client = _client(citizen=world.citizen)
    response = client.post(
        "/api/v1/petitions/", {**BODY, "content": " "}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "content" in response.json()["fields"]
    assert not Petition.objects.exists()


def test_acts_with_scopes_and_their_refusals(world):
    petition = at_commune(world)
    url = f"/api/v1/petitions/{petition.code}/"
    lead_a, lead_b = _client(user=world.lead_a.user), _client(user=world.lead_b.user)
    assert lead_b.post(f"{url}answer/", {"answer": "x"}, "application/json").status_code == 404
    response = lead_a.post(f"{url}publish/", {}, "application/json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    response = lead_a.post(f"{url}answer/", {"answer": ""}, "application/json")
    assert response.status_code == 400
    response = lead_a.post(f"{url}answer/", {"answer": "Đã khắc phục."}, "application/json")
    assert response.status_code == 200 and response.json()["status"] == Status.ANSWERED
    # The submitter cannot answer their own petition.
    response = _client(citizen=world.citizen).post(f"{url}publish/", {}, "application/json")
    assert response.status_code == 403
    assert Petition.objects.get(pk=petition.pk).status == Status.ANSWERED


def test_the_list_in_bounded_queries(world):
    at_commune(world)
    client = _client(user=world.proc_a.user)
    client.get("/api/v1/petitions/")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/petitions/").json()["results"]) == 1
    for _ in range(5):
        at_commune(world)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/petitions/").json()["results"]) == 6
    assert len(many) == len(few)
    overdue = client.get("/api/v1/petitions/?due=overdue").json()["results"]
    assert overdue == []
    assert submitted(world).code not in str(client.get("/api/v1/petitions/").json())
