"""Meetings through the API: scopes, a member sees only their meetings, bad input as 4xx with
nothing changed, conclusions creating tasks."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from egov.accounts.services import officials as official_services
from egov.assignments.models import Assignment, Origin
from egov.cabinet.models import Attendance, Conclusion, ItemMark, Meeting
from egov.cabinet.services import members as member_services
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

from ..accounts.officials_support import make_official
from .test_meetings import schedule

URL = "/api/v1/cabinet/meetings/"


def _client(official):
    client = APIClient()
    client.force_authenticate(official.user)
    return client


def _body(**extra):
    body = {
        "title": "Phiên họp chuyên đề xây dựng pháp luật",
        "kind": "thematic",
        "date": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        "items": [
            {
                "title": "Dự án Luật",
                "presenter": "Bộ trưởng Bộ Tư pháp",
                "starts_at": "08:00",
                "ends_at": "09:30",
            }
        ],
    }
    body.update(extra)
    return body


def test_schedule_through_the_api(gov):
    client = _client(gov.secretary)
    response = client.post(URL, _body(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["members_count"] == 27
    secret = _body()
    secret["items"][0]["documents"] = [
        {"title": "Kế hoạch", "classification": "secret", "exchange_document": 1}
    ]
    bad = client.post(URL, secret, format="json")
    assert bad.status_code == 400 and "mật" in bad.content.decode()
    empty = client.post(URL, _body(items=[]), format="json")
    assert empty.status_code == 400 and "nội dung" in empty.content.decode()
    member = _client(gov.members[2].official).post(URL, _body(), format="json")
    assert member.status_code == 403
    assert Meeting.objects.count() == 1


def test_members_see_only_their_meetings(gov):
    meeting = schedule(gov)
    later = member_services.appoint(
        make_official("new_minister", gov.office),
        "minister",
        "Bộ trưởng",
        term_start=meeting.date + dt.timedelta(days=1),
    )
    own = _client(gov.members[3].official)
    with CaptureQueriesContext(connection) as queries:
        listed = own.get(URL)
    assert listed.status_code == 200 and len(listed.json()["results"]) == 1
    assert len(queries) <= 8
    schedule(gov, title="Phiên thứ hai")
    with CaptureQueriesContext(connection) as more:
        assert len(own.get(URL).json()["results"]) == 2
    assert len(more) == len(queries)  # no query per row
    stranger = _client(later.official)
    assert stranger.get(URL).json()["results"] == []
    assert stranger.get(f"{URL}{meeting.number}/").status_code == 404
    assert _client(gov.outsider).get(f"{URL}{meeting.number}/").status_code == 403


def test_marks_and_bad_marks(gov):
    meeting = schedule(gov)
    url = f"{URL}{meeting.number}/mark/"
    member = _client(gov.members[1].official)
    ok = member.post(url, {"item": 1, "mark": "no_objection"}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["items"][0]["marks"]["no_objection"] == 1
    bare = member.post(url, {"item": 1, "mark": "objects", "comment": ""}, format="json")
    assert bare.status_code == 400 and "lý do" in bare.content.decode()
    assistant = _client(gov.assistant).post(url, {"item": 1, "mark": "objects"}, format="json")
    assert assistant.status_code == 400
    assert list(ItemMark.objects.values_list("mark", flat=True)) == ["no_objection"]


def test_attendance_quorum_and_conclusion_with_task(gov):
    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G03", "Bộ Tư pháp", "central")
    )
    meeting = schedule(gov)
    client = _client(gov.secretary)
    deputy = make_official("thu_truong", gov.office)
    response = client.post(
        f"{URL}{meeting.number}/attend/",
        {"member": gov.members[5].pk, "substitute": deputy.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "n": 27, "present": 1, "substitutes": 1, "counted": 0, "needed": 18, "reached": False,
    }  # fmt: skip
    again = client.post(f"{URL}{meeting.number}/attend/", {"member": gov.members[5].pk})
    assert again.status_code == 400 and Attendance.objects.count() == 1
    url = f"{URL}{meeting.number}/conclude/"
    late = {"content": "Báo cáo", "lead": ministry.code, "deadline": "2000-01-01"}
    refused = client.post(url, {"item": 1, "text": "Kết luận", "tasks": [late]}, format="json")
    assert refused.status_code == 400 and "ngày họp" in refused.content.decode()
    nolead = {"content": "Báo cáo", "lead": "", "deadline": meeting.date.isoformat()}
    refused = client.post(url, {"item": 1, "text": "Kết luận", "tasks": [nolead]}, format="json")
    assert refused.status_code == 400 and "chủ trì" in refused.content.decode()
    assert not Conclusion.objects.exists() and not Assignment.objects.exists()
    task = {"content": "Hoàn thiện dự án Luật", "lead": ministry.code, "deadline": "2099-01-31"}
    done = client.post(url, {"item": 1, "text": "Thống nhất", "tasks": [task]}, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["items"][0]["conclusion"] == "Thống nhất"
    assert Assignment.objects.get().origin == Origin.CABINET
    member = _client(gov.members[1].official)
    assert member.post(url, {"item": 2, "text": "x"}, format="json").status_code == 403
    mark = member.post(f"{URL}{meeting.number}/mark/", {"item": 1, "mark": "no_objection"})
    assert mark.status_code == 409  # in session: marks are closed
    closed = client.post(f"{URL}{meeting.number}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(f"{URL}{meeting.number}/close/")
    assert again.status_code == 409 and "bế mạc" in again.content.decode()


def test_the_lead_sees_the_task_a_conclusion_created(gov):
    """End to end: the conclusion posted through the API becomes a task the lead organisation's
    official reads in the task tracking API, with its e-Cabinet origin."""
    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G07", "Bộ Tài chính", "central")
    )
    officer = make_official("cb_btc", ministry, "processor")
    meeting = schedule(gov)
    task = {"content": "Báo cáo giải ngân", "lead": ministry.code, "deadline": "2099-06-30"}
    body = {"item": 2, "text": "Giao Bộ Tài chính", "tasks": [task]}
    done = _client(gov.secretary).post(f"{URL}{meeting.number}/conclude/", body, format="json")
    assert done.status_code == 201, done.content
    seen = _client(officer).get("/api/v1/assignments/")
    assert seen.status_code == 200, seen.content
    rows = seen.json()["results"]
    assert [(r["origin"], r["origin_ref"], r["content"]) for r in rows] == [
        ("cabinet", f"meeting-{meeting.number}/item-2", "Báo cáo giải ngân")
    ]
