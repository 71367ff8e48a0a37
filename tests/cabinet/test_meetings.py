"""Meetings (issue 19, §2): the agenda, members' marks, attendance and quorum, conclusions and
the tasks they create."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.accounts.services import officials as official_services
from egov.assignments.models import Assignment, Origin
from egov.cabinet.models import (
    AgendaItem,
    Attendance,
    Conclusion,
    ItemMark,
    Mark,
    Meeting,
    MeetingStatus,
)
from egov.cabinet.services import meetings
from egov.cabinet.services.ballots import DocumentData
from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

from ..accounts.officials_support import make_official

PDF = b"%PDF-1.4 test"


def schedule(gov, **extra) -> Meeting:
    values = {
        "title": "Phiên họp Chính phủ thường kỳ tháng 12",
        "kind": "regular",
        "date": dt.date.today() + dt.timedelta(days=7),
        "items": [
            meetings.ItemData(
                "Tình hình kinh tế - xã hội tháng 11",
                "Bộ trưởng Bộ Tài chính",
                dt.time(8, 0),
                dt.time(9, 0),
                [DocumentData("Báo cáo", content=PDF)],
            ),
            meetings.ItemData(
                "Dự thảo Nghị định", "Bộ trưởng Bộ Tư pháp", dt.time(9, 0), dt.time(10, 0)
            ),
        ],
    }
    values.update(extra)
    return meetings.schedule(gov.secretary, meetings.MeetingData(**values))


def test_schedule_counts_n_and_invites_members(gov):
    meeting = schedule(gov)
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.members_count == len(gov.members)
    assert meeting.participants.count() == len(gov.members)
    first = meeting.items.get(position=1)
    assert first.documents.get().sha256
    assert AuditEntry.objects.filter(action="cabinet.meeting.schedule").count() == 1


def test_classified_document_is_refused_and_nothing_written(gov):
    item = meetings.ItemData(
        "Mật", "Bộ trưởng", dt.time(8), dt.time(9), [DocumentData("Kế hoạch", "secret", PDF)]
    )
    with pytest.raises(ValidationError) as caught:
        schedule(gov, items=[item])
    assert caught.value.code == "classified"
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()


def test_only_the_secretariat_schedules(gov):
    gov.secretary = gov.outsider
    with pytest.raises(PermissionDenied):
        schedule(gov)
    assert not Meeting.objects.exists()


def test_marks_and_adoption_without_debate(gov):
    meeting = schedule(gov)
    item = meeting.items.get(position=1)
    n = len(gov.members)
    for member in gov.members[: n // 2]:
        meetings.mark(member.official, item, Mark.NO_OBJECTION)
    assert not meetings.marks_of(item).adoptable  # exactly half is not more than half
    meetings.mark(gov.members[n // 2].official, item, Mark.NO_OBJECTION)
    assert meetings.marks_of(item).adoptable
    # One objection (with its comment) stops it.
    meetings.mark(gov.members[-1].official, item, Mark.OBJECTS, "Cần làm rõ số liệu")
    assert not meetings.marks_of(item).adoptable
    # The member changes their mind: the mark is replaced, not added.
    meetings.mark(gov.members[-1].official, item, Mark.WANTS_TO_SPEAK)
    assert ItemMark.objects.filter(member=gov.members[-1]).count() == 1
    meetings.attend(gov.secretary, meeting, gov.members[0])
    item.refresh_from_db()
    assert item.adopted_without_debate


def test_adoption_without_debate_is_a_setting(gov):
    meeting = schedule(gov, adopt_without_debate=False)
    item = meeting.items.get(position=1)
    for member in gov.members:
        meetings.mark(member.official, item, Mark.NO_OBJECTION)
    assert not meetings.marks_of(item).adoptable


def test_bad_marks_change_nothing(gov):
    meeting = schedule(gov)
    item = meeting.items.first()
    with pytest.raises(ValidationError) as caught:
        meetings.mark(gov.members[0].official, item, Mark.OBJECTS, "  ")
    assert caught.value.code == "comment"
    with pytest.raises(ValidationError) as caught:
        meetings.mark(gov.outsider, item, Mark.NO_OBJECTION)
    assert caught.value.code == "member"
    assert not ItemMark.objects.exists()
    assert not AuditEntry.objects.filter(action="cabinet.meeting.mark").exists()


def test_assistant_marks_for_their_member(gov):
    meeting = schedule(gov)
    item = meeting.items.first()
    row = meetings.mark(gov.assistant, item, Mark.WANTS_TO_SPEAK, member=gov.pm)
    assert row.member == gov.pm and row.marked_by == gov.assistant
    with pytest.raises(ValidationError):
        meetings.mark(gov.assistant, item, Mark.WANTS_TO_SPEAK, member=gov.members[3])


def test_no_marks_once_in_session(gov):
    meeting = schedule(gov)
    meetings.attend(gov.secretary, meeting, gov.members[0])
    with pytest.raises(ValidationError) as caught:
        meetings.mark(gov.members[1].official, meeting.items.first(), Mark.NO_OBJECTION)
    assert caught.value.code == "status"


def test_quorum_two_thirds_of_all_and_substitutes(gov):
    meeting = schedule(gov)
    n = len(gov.members)  # 27: two thirds is 18
    needed = -(-2 * n // 3)
    for member in gov.members[: needed - 1]:
        meetings.attend(gov.secretary, meeting, member)
    deputy = make_official("thu_truong", gov.office)
    meetings.attend(gov.secretary, meeting, gov.members[needed - 1], substitute=deputy)
    q = meetings.quorum(meeting)
    assert (q.n, q.present, q.substitutes, q.counted) == (n, needed, 1, needed - 1)
    assert not q.reached  # the substitute does not count by default
    Meeting.objects.filter(pk=meeting.pk).update(substitutes_count=True)
    meeting.refresh_from_db()
    assert meetings.quorum(meeting).reached
    with pytest.raises(ValidationError) as caught:
        meetings.attend(gov.secretary, meeting, gov.members[0])
    assert caught.value.code == "once"
    assert Attendance.objects.count() == needed


@pytest.fixture
def ministry(gov):
    # The secretariat assigns tasks for the Government Office (assignments.manage there).
    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    return org_services.create_organisation(
        OrganisationData("000.00.00.G01", "Bộ Tài chính", "central")
    )


def test_conclusion_creates_tasks_end_to_end(gov, ministry):
    meeting = schedule(gov)
    item = meeting.items.first()
    meetings.attend(gov.secretary, meeting, gov.members[0])
    deadline = meeting.date + dt.timedelta(days=30)
    conclusion = meetings.conclude(
        gov.secretary,
        item,
        "Chính phủ thống nhất đánh giá tình hình kinh tế - xã hội.",
        [meetings.TaskData("Hoàn thiện báo cáo tình hình kinh tế - xã hội.", ministry, deadline)],
    )
    task = Assignment.objects.get()
    assert conclusion.tasks.get().assignment == task
    assert (task.origin, task.lead, task.deadline) == (Origin.CABINET, ministry, deadline)
    assert task.origin_ref == f"meeting-{meeting.number}/item-1"
    assert task.source_date == meeting.date
    assert AuditEntry.objects.filter(action="cabinet.meeting.conclude").count() == 1
    with pytest.raises(ValidationError) as caught:
        meetings.conclude(gov.secretary, item, "Lần hai")
    assert caught.value.code == "once"


@pytest.mark.parametrize(
    ("lead", "days", "code"), [(None, 30, "lead"), ("ministry", -1, "deadline")]
)
def test_bad_task_refuses_the_whole_conclusion(gov, ministry, lead, days, code):
    meeting = schedule(gov)
    task = meetings.TaskData(
        "Báo cáo", ministry if lead else None, meeting.date + dt.timedelta(days=days)
    )
    with pytest.raises(ValidationError) as caught:
        meetings.conclude(gov.secretary, meeting.items.first(), "Kết luận", [task])
    assert caught.value.code == code
    assert not Conclusion.objects.exists() and not Assignment.objects.exists()


def test_a_refused_assignment_rolls_back_the_conclusion(gov, ministry):
    meeting = schedule(gov)
    # The lead cannot coordinate too: egov.assignments refuses it inside the transaction.
    task = meetings.TaskData("Báo cáo", ministry, meeting.date, coordinators=[ministry])
    with pytest.raises(ValidationError):
        meetings.conclude(gov.secretary, meeting.items.first(), "Kết luận", [task])
    assert not Conclusion.objects.exists() and not Assignment.objects.exists()


def test_close_ends_the_meeting(gov):
    meeting = schedule(gov)
    meetings.close(gov.secretary, meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    with pytest.raises(ValidationError):
        meetings.attend(gov.secretary, meeting, gov.members[0])


def test_demo_makes_one_meeting_and_lets_the_secretariat_assign(gov):
    from egov.accounts.models import RoleAssignment
    from egov.cabinet import demo

    lines = []
    demo.load(lines.append)
    demo.load(lines.append)  # a second load changes nothing
    meeting = Meeting.objects.get()
    assert meeting.items.count() == 3 and meeting.members_count == len(gov.members)
    assert RoleAssignment.objects.filter(official=gov.secretary, role="clerk").count() == 1
    assert "/cabinet/meetings/" in lines[0]
