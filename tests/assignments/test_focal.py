"""The focal point's page: one organisation's tasks by computed category, the overdue ones and
those falling due within five working days, with the person responsible by name; bounded
queries; other organisations' tasks refused; the leaders name the focal point on it (audited,
refusals in Vietnamese)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.assignments.focal import soon_until
from egov.assignments.models import FocalPoint
from egov.core.models import AuditEntry

from ..accounts.officials_support import make_official
from .conftest import make_task

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _named(world):
    for official, (first, last) in (
        (world.lead_officer, ("Lan Anh", "Nguyễn Thị")),
        (world.lead_boss, ("Văn Bình", "Trần")),
    ):
        official.user.first_name, official.user.last_name = first, last
        official.user.save()


def _tasks(world):
    today = timezone.localdate()
    overdue = make_task(world, content="Việc đã quá hạn", deadline=date(2026, 3, 31))
    soon = make_task(world, content="Việc sắp đến hạn", deadline=today + timedelta(days=1))
    later = make_task(world, content="Việc còn xa", deadline=date(2099, 3, 31))
    other = make_task(world, content="Việc của tỉnh", lead=world.p, responsible=None)
    return overdue, soon, later, other


def test_the_focal_point_lands_on_its_organisation(client, world):
    _named(world)
    _tasks(world)
    client.force_login(world.lead_boss.user)
    page = client.get("/assignments/focal/", **VI).content.decode()
    assert "Bộ Tài chính" in page and "000.00.00.G01" not in page
    assert "Việc đã quá hạn" in page and "Việc sắp đến hạn" in page
    assert "Việc còn xa" not in page and "Việc của tỉnh" not in page
    assert world.lead_officer.name in page and "Lan Anh" in page  # responsible, by name
    assert "Đầu mối" in page and world.lead_boss.name in page and "Văn Bình" in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_its_queries_do_not_grow_with_the_tasks(client, world, django_assert_max_num_queries):
    _tasks(world)
    client.force_login(world.lead_boss.user)
    client.get("/assignments/focal/", **VI)
    with CaptureQueriesContext(connection) as few:
        client.get("/assignments/focal/", **VI)
    today = timezone.localdate()
    for i in range(6):
        make_task(world, deadline=date(2026, 2, 1) + timedelta(days=i))
        make_task(world, deadline=today + timedelta(days=1), responsible=world.lead_boss)
    with django_assert_max_num_queries(len(few)):
        response = client.get("/assignments/focal/", **VI)
    assert response.status_code == 200
    assert len(few) <= 20


def test_another_organisation_is_refused(client, world):
    client.force_login(world.prov.user)
    assert client.get(f"/assignments/focal/?organisation={world.m1.pk}", **VI).status_code == 404
    assert client.get("/assignments/focal/?organisation=999999", **VI).status_code == 404
    # Its own organisation is its default.
    page = client.get("/assignments/focal/", **VI).content.decode()
    assert "UBND tỉnh Phú Thọ" in page


def test_the_leader_names_the_focal_point(client, world):
    _named(world)
    client.force_login(world.lead_boss.user)
    page = client.get("/assignments/focal/", **VI).content.decode()
    assert 'name="official"' in page and world.lead_officer.name in page
    response = client.post(
        "/assignments/focal/", {"organisation": world.m1.pk, "official": world.lead_officer.pk}
    )
    assert response.status_code == 302
    assert FocalPoint.objects.get(organisation=world.m1).official == world.lead_officer
    assert AuditEntry.objects.filter(action="assignments.set_focal_point").count() == 1


def test_naming_refusals_change_nothing(client, world):
    stranger = make_official("cb_khac", world.m2, "processor")
    client.force_login(world.lead_boss.user)
    response = client.post(
        "/assignments/focal/", {"organisation": world.m1.pk, "official": stranger.pk}, **VI
    )
    assert response.status_code == 400
    assert "Đầu mối theo dõi phải là cán bộ của cơ quan" in response.content.decode()
    client.force_login(world.lead_officer.user)  # a processor: no assignments.manage
    response = client.post(
        "/assignments/focal/", {"organisation": world.m1.pk, "official": world.lead_officer.pk}
    )
    assert response.status_code == 403
    assert FocalPoint.objects.get(organisation=world.m1).official == world.lead_boss
    assert not AuditEntry.objects.filter(action="assignments.set_focal_point").exists()


def test_soon_is_five_working_days_of_the_calendar():
    # Friday 4 December 2026: five working days later is Friday 11 December.
    assert soon_until(date(2026, 12, 4), None) == date(2026, 12, 11)
