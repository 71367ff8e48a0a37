"""Assigning a task and the acts after it: each one transaction with an audit row; the bad input
the issue names is refused with a sentence and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from egov.assignments import services
from egov.assignments.errors import AssignmentError, IllegalTransition
from egov.assignments.models import Assignment, Extension, Report, Stage
from egov.assignments.status import Category, of
from egov.core.models import AuditEntry

from .conftest import SOURCE, make_task

pytestmark = pytest.mark.django_db
RESULT = services.DocumentRef("45/TTr-BTC", date(2026, 3, 20), "Tờ trình dự thảo Nghị định")


def snapshot():
    return (
        list(Assignment.objects.values()),
        list(Report.objects.values()),
        list(Extension.objects.values()),
        AuditEntry.objects.count(),
    )


def test_create_records_the_task_and_its_audit_row(world):
    task = make_task(world, is_key=True)
    assert task.lead == world.m1
    assert list(task.coordinators.all()) == [world.m2]
    assert task.original_deadline == task.deadline == date(2026, 3, 31)
    assert task.due_on == date(2026, 3, 31)
    entry = AuditEntry.objects.filter(action="assignments.create").get()
    assert entry.object_id == str(task.pk)
    assert entry.summary["lead"] == world.m1.code


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"lead": [None]}, "lead", "đúng một đơn vị chủ trì"),
        ({"lead": []}, "lead", "đúng một đơn vị chủ trì"),
        ("two_leads", "lead", "đúng một đơn vị chủ trì"),
        ({"deadline": date(2026, 1, 4)}, "deadline", "trước ngày của văn bản"),
        ("lead_coordinates", "coordinators", "chủ trì"),
        ({"content": " "}, "content", "nhiệm vụ"),
        ({"deadline": None}, "deadline", "thời hạn"),
        ("responsible_elsewhere", "responsible", "đơn vị chủ trì"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(world, extra, field, words):
    if extra == "two_leads":
        extra = {"lead": [world.m1, world.m2], "coordinators": []}
    elif extra == "lead_coordinates":
        extra = {"coordinators": [world.m1]}
    elif extra == "responsible_elsewhere":
        extra = {"responsible": world.coord}
    before = snapshot()
    with translation.override("vi"), pytest.raises(AssignmentError) as caught:
        make_task(world, **extra)
    message = " ".join(caught.value.message_dict[field])
    assert words in message
    assert snapshot() == before


def test_only_the_office_assigns(world):
    with pytest.raises(PermissionDenied):
        services.create_assignment(
            world.lead_boss.user,
            document=SOURCE,
            content="x",
            lead=world.m1,
            deadline=date(2026, 3, 1),
        )
    assert not Assignment.objects.exists()


def test_an_ecabinet_conclusion_creates_a_task(world):
    task = make_task(
        world, source="cabinet", source_ref="KL-2026-7", deadline=None, deadline_kind="ongoing"
    )
    assert (task.origin, task.origin_ref) == ("cabinet", "KL-2026-7")
    assert of(task, date(2027, 1, 1)) == Category.ONGOING


def test_completion_counts_from_acceptance(world):
    task = make_task(world)
    services.report_progress(
        world.lead_officer.user,
        task,
        text="Đã lấy ý kiến",
        documents=[services.DocumentRef("10/BTC", date(2026, 2, 1))],
    )
    services.report_completion(world.lead_officer.user, task, text="Xong", result=RESULT)
    task.refresh_from_db()
    assert task.stage == Stage.SUBMITTED and task.completed_on is None
    assert of(task, date(2026, 4, 2)) == Category.OVERDUE  # reported, not accepted
    services.accept(world.clerk.user, task, on=date(2026, 4, 2))
    task.refresh_from_db()
    assert task.stage == Stage.DONE and task.completed_on == date(2026, 4, 2)
    assert of(task, date(2026, 5, 1)) == Category.LATE
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == [
        "assignments.report_progress",
        "assignments.report_completion",
        "assignments.accept",
    ]


def test_send_back_reopens_with_the_reason(world):
    task = make_task(world)
    services.report_completion(world.lead_officer.user, task, text="Xong", result=RESULT)
    services.send_back(world.clerk.user, task, reason="Thiếu phụ lục")
    task.refresh_from_db()
    assert task.stage == Stage.OPEN
    assert task.reports.get().answer == "Thiếu phụ lục"
    assert task.reports.get().accepted is False


def test_completion_needs_the_result_document(world):
    task = make_task(world)
    before = snapshot()
    with translation.override("vi"), pytest.raises(AssignmentError) as caught:
        services.report_completion(world.lead_officer.user, task, text="Xong", result=None)
    assert "result" in caught.value.message_dict
    assert snapshot() == before


@pytest.mark.parametrize("who", ["coord", "prov", "clerk"])
def test_completion_by_someone_not_at_the_lead_is_refused(world, who):
    task = make_task(world)
    before = snapshot()
    with translation.override("vi"), pytest.raises(PermissionDenied) as caught:
        services.report_completion(getattr(world, who).user, task, text="Xong", result=RESULT)
    assert "đơn vị chủ trì" in str(caught.value)
    assert snapshot() == before


def test_extension_keeps_the_original_deadline(world):
    task = make_task(world)
    services.request_extension(
        world.lead_officer.user,
        task,
        new_deadline=date(2026, 5, 29),
        reason="Chờ ý kiến các bộ",
        on=date(2026, 3, 31),
    )
    services.approve_extension(world.clerk.user, task)
    task.refresh_from_db()
    assert task.deadline == date(2026, 5, 29)
    assert task.original_deadline == date(2026, 3, 31)
    # Read against either deadline: within the new one, overdue against the original.
    assert of(task, date(2026, 4, 15)) == Category.WITHIN
    assert of(task, date(2026, 4, 15), "original") == Category.OVERDUE


def test_refused_extension_leaves_the_deadline(world):
    task = make_task(world)
    services.request_extension(
        world.lead_officer.user,
        task,
        new_deadline=date(2026, 5, 29),
        reason="Chờ",
        on=date(2026, 3, 1),
    )
    services.refuse_extension(world.clerk.user, task, reason="Không có căn cứ")
    task.refresh_from_db()
    assert task.deadline == date(2026, 3, 31)
    assert task.extensions.get().state == "refused"


def test_extension_after_the_deadline_is_refused(world):
    task = make_task(world)
    before = snapshot()
    with translation.override("vi"), pytest.raises(IllegalTransition) as caught:
        services.request_extension(
            world.lead_officer.user,
            task,
            new_deadline=date(2026, 5, 1),
            reason="Muộn",
            on=date(2026, 4, 1),
        )
    assert "trước" in caught.value.messages[0] or "hạn" in caught.value.messages[0]
    assert snapshot() == before


def test_extension_by_a_coordinating_agency_is_refused(world):
    task = make_task(world)
    before = snapshot()
    with translation.override("vi"), pytest.raises(PermissionDenied) as caught:
        services.request_extension(
            world.coord.user,
            task,
            new_deadline=date(2026, 5, 1),
            reason="Xin thêm",
            on=date(2026, 3, 1),
        )
    assert "phối hợp" in str(caught.value)
    assert snapshot() == before


def test_withdrawal_leaves_the_counts(world):
    task = make_task(world)
    services.withdraw(world.clerk.user, task, reason="Không còn phù hợp", decision="99/QĐ-TTg")
    task.refresh_from_db()
    assert task.stage == Stage.WITHDRAWN
    assert of(task, date(2026, 5, 1)) is None
    with pytest.raises(IllegalTransition):
        services.report_progress(world.lead_officer.user, task, text="x")


def test_withdrawal_needs_reason_and_decision(world):
    task = make_task(world)
    with pytest.raises(AssignmentError) as caught:
        services.withdraw(world.clerk.user, task, reason="Lý do", decision="")
    assert "decision" in caught.value.message_dict
    task.refresh_from_db()
    assert task.stage == Stage.OPEN


def test_a_monthly_task_rolls_to_the_next_period(world):
    task = make_task(world, deadline_kind="monthly", deadline=date(2026, 1, 31))
    services.report_completion(world.lead_officer.user, task, text="Báo cáo tháng 1", result=RESULT)
    services.accept(world.clerk.user, task, on=date(2026, 1, 30))
    task.refresh_from_db()
    assert task.stage == Stage.OPEN
    assert task.deadline == date(2026, 2, 28)
    assert task.completed_on is None


def test_focal_point_is_named_by_the_leader_and_audited(world):
    from egov.assignments.services.focal_points import set_focal_point

    focal = set_focal_point(world.lead_boss.user, world.m1, world.lead_officer)
    assert focal.official == world.lead_officer
    assert AuditEntry.objects.filter(action="assignments.set_focal_point").count() == 1
    with pytest.raises(PermissionDenied):
        set_focal_point(world.lead_officer.user, world.m1, world.lead_officer)
    with pytest.raises(AssignmentError):
        set_focal_point(world.lead_boss.user, world.m1, world.coord)
