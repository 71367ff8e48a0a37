"""The meeting pages (no JavaScript: plain form posts): the agenda and a member's marks, the
quorum fragment, the secretariat's attendance and conclusion forms; who sees what."""

import datetime as dt

from django.test import Client

from egov.accounts.services import officials as official_services
from egov.assignments.models import Assignment
from egov.cabinet.models import Attendance, Conclusion, ItemMark
from egov.cabinet.services import members as member_services
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

from ..accounts.officials_support import make_official
from .test_meetings import schedule


def _client(official):
    client = Client()
    client.force_login(official.user)
    return client


def test_a_member_marks_items_on_the_page(gov):
    meeting = schedule(gov)
    url = f"/cabinet/meetings/{meeting.number}/"
    member = gov.members[2]
    client = _client(member.official)
    listed = client.get("/cabinet/meetings/").content.decode()
    assert meeting.title in listed
    page = client.get(url).content.decode()
    assert "Tình hình kinh tế" in page and "Báo cáo" in page and "Đăng ký phát biểu" in page
    assert "hx-get" in page  # the quorum fragment polls
    mark = {"act": "mark", "item": 1, "member": member.pk, "mark": "wants_to_speak"}
    assert client.post(url, mark).status_code == 302
    assert ItemMark.objects.get().mark == "wants_to_speak"
    bare = {**mark, "mark": "objects", "comment": " "}
    refused = client.post(url, bare)
    assert refused.status_code == 400 and "lý do" in refused.content.decode()
    assert ItemMark.objects.get().mark == "wants_to_speak"
    # Marking for another member is refused.
    other = {**mark, "member": gov.members[3].pk}
    assert client.post(url, other).status_code == 400
    assert ItemMark.objects.count() == 1


def test_only_participants_see_the_meeting(gov):
    meeting = schedule(gov)
    later = member_services.appoint(
        make_official("new_minister", gov.office),
        "minister",
        "Bộ trưởng",
        term_start=meeting.date + dt.timedelta(days=1),
    )
    url = f"/cabinet/meetings/{meeting.number}/"
    assert _client(later.official).get(url).status_code == 404
    assert _client(later.official).get(f"{url}quorum/").status_code == 404
    assert _client(gov.outsider).get(url).status_code == 404
    assert meeting.title not in _client(gov.outsider).get("/cabinet/meetings/").content.decode()
    assert _client(gov.assistant).get(url).status_code == 200


def test_the_secretariat_records_attendance_and_concludes(gov):
    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G03", "Bộ Tư pháp", "central")
    )
    meeting = schedule(gov)
    url = f"/cabinet/meetings/{meeting.number}/"
    client = _client(gov.secretary)
    deputy = make_official("thu_truong", gov.office)
    sub = {"act": "attend", "member": gov.members[4].pk, "substitute": "thu_truong"}
    assert client.post(url, sub).status_code == 302
    assert Attendance.objects.get().substitute == deputy
    fragment = client.get(f"{url}quorum/").content.decode()
    assert "1 / 27" in fragment and "dự thay" in fragment and "0 / 18" in fragment
    page = client.get(url).content.decode()
    assert "Bộ Tư pháp" in page  # the lead is chosen by name
    task = {
        "act": "conclude",
        "item": 1,
        "text": "Thống nhất",
        "task_content": "Hoàn thiện",
        "task_lead": "",
        "task_deadline": (meeting.date + dt.timedelta(days=10)).isoformat(),
    }
    refused = client.post(url, task)
    assert refused.status_code == 400 and "chủ trì" in refused.content.decode()
    assert not Conclusion.objects.exists() and not Assignment.objects.exists()
    assert client.post(url, {**task, "task_lead": ministry.pk}).status_code == 302
    assert Assignment.objects.get().lead == ministry
    assert "Thống nhất" in client.get(url).content.decode()
    # A member cannot write conclusions.
    member = _client(gov.members[1].official)
    refused = member.post(url, {"act": "conclude", "item": 2, "text": "x"})
    assert refused.status_code == 400 and Conclusion.objects.count() == 1
    assert client.post(url, {"act": "close"}).status_code == 302
    assert "Đã bế mạc" in client.get(url).content.decode()
    assert member.post(url, {"act": "close"}).status_code == 400  # already closed, and a member
