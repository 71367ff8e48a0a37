"""Dossier API (5a): one-call application, acts, errors, lists with bounded queries, counts,
public lookup (rate limited, says nothing more on a wrong ID)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client

from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierComponent, Status

from .core_support import PDF, submit, valid_form, world  # noqa: F401

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def as_user(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def application(w, **extra):
    body = {
        "procedure": "9.000001",
        "organisation": w.a.code,
        "form_data": valid_form(w),
        "components": [
            {
                "filename": "to-khai.pdf",
                "content_type": "application/pdf",
                "content_base64": b64(PDF),
            }
        ],
    }
    body.update(extra)
    return body


def test_citizen_applies_in_one_call_and_follows_the_dossier(world):  # noqa: F811
    c = as_user(world.citizen.user)
    r = c.post("/api/v1/dossiers/", application(world), content_type="application/json")
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json()["status"] == Status.NEW and len(r.json()["components"]) == 1
    assert c.get(f"/api/v1/dossiers/{code}/").status_code == 200
    assert [d["code"] for d in c.get("/api/v1/dossiers/").json()["results"]] == [code]
    # Another citizen neither lists nor reads it.
    other = as_user(world.other.user)
    assert other.get("/api/v1/dossiers/").json()["results"] == []
    assert other.get(f"/api/v1/dossiers/{code}/").status_code == 404


def test_multipart_application(world):  # noqa: F811
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    c = as_user(world.citizen.user)
    payload = json.dumps({k: v for k, v in application(world).items() if k != "components"})
    r = c.post(
        "/api/v1/dossiers/",
        {"payload": payload, "component.0": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 201, r.content
    r = c.post(
        "/api/v1/dossiers/",
        {
            "payload": payload,
            "component.0": SimpleUploadedFile("a.pdf", b"GIF89a", "application/pdf"),
        },
    )
    assert r.status_code == 400 and "components.0" in r.json()["fields"]


@pytest.mark.parametrize(
    ("component", "field"),
    [
        (
            {
                "filename": "a.pdf",
                "content_type": "application/pdf",
                "content_base64": b64(b"<html>"),
            },
            "components.0",
        ),
        (
            {"filename": "a.png", "content_type": "image/png", "content_base64": b64(PDF)},
            "components.0",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_written(world, component, field):  # noqa: F811
    c = as_user(world.citizen.user)
    r = c.post(
        "/api/v1/dossiers/",
        application(world, components=[component]),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and field in r.json()["fields"]
    r = c.post(
        "/api/v1/dossiers/",
        application(world, form_data={"bogus": True}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["fields"]
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()


def test_officials_act_through_the_api_and_conflicts_are_409(world):  # noqa: F811
    d = submit(world)
    desk = as_user(world.desk.user)
    url = f"/api/v1/dossiers/{d.code}"
    r = desk.post(f"{url}/approve/", {}, content_type="application/json")
    assert r.status_code == 403  # a desk official has no approve scope
    lead = as_user(world.approver.user)
    r = lead.post(f"{url}/approve/", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    assert desk.post(f"{url}/receive/", {}, content_type="application/json").status_code == 200
    r = desk.post(
        f"{url}/request-supplement/",
        {"items": [{"name": "Ảnh 4x6"}]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == Status.SUPPLEMENT_REQUESTED
    r = desk.post(
        f"{url}/request-supplement/",
        {"items": [{"name": "Thêm"}]},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "supplement_once"
    citizen = as_user(world.citizen.user)
    r = citizen.post(f"{url}/supplement/", {"note": "Đã bổ sung"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == Status.RECEIVED
    # An official of commune B cannot see it at all.
    r = as_user(world.desk_b.user).post(
        f"{url}/start-processing/", {}, content_type="application/json"
    )
    assert r.status_code == 404


def test_list_query_count_is_bounded(world, django_assert_max_num_queries):  # noqa: F811
    for _ in range(3):
        services.receive(submit(world), actor=world.desk.user)
    c = as_user(world.desk.user)
    c.get("/api/v1/dossiers/")  # warm the session
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/dossiers/?status=2&ordering=due_at")
    assert r.status_code == 200 and r.json()["count"] == 3
    for _ in range(5):
        services.receive(submit(world), actor=world.desk.user)
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/dossiers/")
    assert r.json()["count"] == 8


def test_counts_per_organisation(world):  # noqa: F811
    services.receive(submit(world), actor=world.desk.user)
    r = as_user(world.desk.user).get("/api/v1/dossiers/counts/")
    assert r.status_code == 200
    assert r.json() == [
        {
            "organisation": world.a.pk,
            "code": world.a.code,
            "early": 0,
            "on_time": 0,
            "late": 0,
            "within_time": 1,
            "overdue": 0,
            "total": 1,
        }
    ]
    assert as_user(world.desk_b.user).get("/api/v1/dossiers/counts/").json() == []


def test_public_lookup_shows_status_and_history_only(world, client, settings):  # noqa: F811
    d = services.receive(submit(world), actor=world.desk.user)
    r = client.get("/api/v1/dossier-lookup/", {"code": d.code, "id_number": "001099012345"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"code", "status", "status_label", "due_at", "history"}
    assert [e["status"] for e in body["history"]] == [1, 2]
    # The instants as stored (SQLite hands the lookup's raw query naive UTC datetimes).
    assert dt.datetime.fromisoformat(body["due_at"]) == d.due_at
    assert [dt.datetime.fromisoformat(e["at"]) for e in body["history"]] == [
        p.at for p in d.progress.order_by("at", "id")
    ]
    assert "Nguyễn" not in r.content.decode() and "desk_a" not in r.content.decode()
    wrong = client.get("/api/v1/dossier-lookup/", {"code": d.code, "id_number": "001099000000"})
    missing = client.get("/api/v1/dossier-lookup/", {"code": "nope", "id_number": "001099012345"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()
    settings.EGOV_LOOKUP_RATE = "3/min"
    statuses = [
        client.get("/api/v1/dossier-lookup/", {"code": d.code, "id_number": "x"}).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429
