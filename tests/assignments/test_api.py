"""The API: the feed (an organisation's tasks, changed since a time), one task, assigning and the
acts, with bounded queries and the errors in Vietnamese."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.assignments.models import Assignment

from .conftest import make_task

pytestmark = pytest.mark.django_db
URL = "/api/v1/assignments/"
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params, **VI)


def test_the_feed_lists_an_organisations_tasks_in_few_queries(client, world):
    for _ in range(3):
        make_task(world)
    make_task(world, lead=world.p, coordinators=[], responsible=None)
    client.force_login(world.clerk.user)
    client.get(URL)  # warm the session and grants
    with CaptureQueriesContext(connection) as few:
        response = client.get(URL, {"organisation": world.m2.code})
    assert response.status_code == 200
    assert response.json()["count"] == 3  # m2 coordinates three
    for _ in range(10):
        make_task(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"organisation": world.m2.code})
    assert response.json()["count"] == 13
    assert len(many) == len(few) <= 10


def test_the_feed_since_a_timestamp(client, world):
    old = make_task(world)
    Assignment.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    new = make_task(world)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = _get(client, world.lead_officer.user, URL, since=since)
    assert [t["id"] for t in response.json()["results"]] == [new.pk]
    bad = _get(client, world.lead_officer.user, URL, since="hôm qua")
    assert bad.status_code == 400
    assert "múi giờ" in bad.content.decode()


def test_each_party_sees_its_tasks_and_nobody_else(client, world):
    task = make_task(world)
    for who, seen in [(world.clerk, 1), (world.lead_officer, 1), (world.coord, 1), (world.prov, 0)]:
        assert _get(client, who.user, URL).json()["count"] == seen
    assert _get(client, world.prov.user, f"{URL}{task.pk}/").status_code == 404
    detail = _get(client, world.coord.user, f"{URL}{task.pk}/").json()
    assert detail["lead_name"] == "Bộ Tài chính"
    assert detail["category"] == "overdue" or detail["category"] == "within"


def _create(client, **extra):
    body = {
        "source_number": "12/NQ-CP",
        "source_date": "2026-01-05",
        "source_type": "NQ",
        "source_signer": "Phạm Minh Chính",
        "content": "Sửa đổi Luật Ngân sách",
        "lead": ["000.00.00.G01"],
        "coordinators": ["000.00.00.G02"],
        "deadline": "2026-06-30",
        "responsible": "cb_m1",
        **extra,
    }
    return client.post(URL, body, content_type="application/json", **VI)


def test_assign_through_the_api(client, world):
    client.force_login(world.clerk.user)
    response = _create(client)
    assert response.status_code == 201, response.content
    assert response.json()["lead"] == "000.00.00.G01"
    assert response.json()["responsible"].startswith("")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"lead": ["000.00.00.G01", "000.00.00.G02"], "coordinators": []}, "đúng một"),
        ({"lead": []}, "đúng một"),
        ({"deadline": "2025-12-31"}, "trước ngày của văn bản"),
    ],
)
def test_bad_input_is_a_400_in_vietnamese(client, world, extra, words):
    client.force_login(world.clerk.user)
    response = _create(client, **extra)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Assignment.objects.exists()


def test_acts_through_the_api(client, world):
    task = make_task(world)
    client.force_login(world.lead_officer.user)
    url = f"{URL}{task.pk}/"
    response = client.post(
        f"{url}report-completion/",
        {"text": "Xong", "result": {"number": "45/TTr-BTC", "date": "2026-03-20"}},
        content_type="application/json",
        **VI,
    )
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == 2
    again = client.post(f"{url}report-progress/", {"text": "x"}, content_type="application/json")
    assert again.status_code == 409
    client.force_login(world.coord.user)
    refused = client.post(f"{url}accept/", {}, content_type="application/json", **VI)
    assert refused.status_code == 403
    client.force_login(world.clerk.user)
    accepted = client.post(f"{url}accept/", {}, content_type="application/json")
    assert accepted.status_code == 200
    assert accepted.json()["completed_at"]


def test_extension_by_a_coordinating_agency_is_a_403_in_vietnamese(client, world):
    task = make_task(world, deadline=date.today() + timedelta(days=30))
    client.force_login(world.coord.user)
    response = client.post(
        f"{URL}{task.pk}/request-extension/",
        {"new_deadline": str(date.today() + timedelta(days=60)), "reason": "Cần thêm"},
        content_type="application/json",
        **VI,
    )
    assert response.status_code == 403
    assert "phối hợp" in response.content.decode()
    assert not task.extensions.exists()
