"""Dossier core (5a): application, code, lifecycle, workflow, deadlines, result, bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from egov.core.calendar import WorkingCalendar
from egov.core.models import AuditEntry
from egov.dossiers import services
from egov.dossiers.models import (
    CitizenDataStoreEntry,
    Dossier,
    DossierComponent,
    ProgressRecord,
    Status,
)
from egov.dossiers.services import IllegalTransition, Reuse, Upload

from .core_support import JPEG, PDF, PNG, submit, walk_in, world  # noqa: F401
from .web_support import small_signed_pdf

pytestmark = pytest.mark.django_db


def test_online_application_is_new_with_code_components_progress_and_audit(world):  # noqa: F811
    d = submit(
        world,
        uploads=[
            Upload(PDF, "to-khai.pdf", "application/pdf"),
            Upload(PNG, "anh.png", "image/png"),
            Upload(JPEG, "anh.JPG", "image/jpeg"),
        ],
    )
    assert d.status == Status.NEW
    assert re.fullmatch(r"000\.00\.01\.H26-\d{6}-0001", d.code)
    assert d.applicant_id_number == "001099012345"
    assert [c.content_type for c in d.components.all()] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
    ]
    assert d.components.first().file.read() == PDF
    assert d.progress.get().action == "submit"
    assert AuditEntry.objects.filter(action="dossiers.submit", object_id=str(d.pk)).exists()
    assert submit(world).code.endswith("-0002")


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (Upload(b"MZ\x90\x00 not a pdf", "to-khai.pdf", "application/pdf"), "upload_content"),
        (Upload(PNG, "to-khai.pdf", "application/pdf"), "upload_content"),
        (Upload(PDF, "to-khai.png", "image/png"), "upload_content"),
        (Upload(PDF, "to-khai.exe", "application/x-msdownload"), "upload_type"),
        (Upload(PDF + b"x" * 2048, "big.pdf", "application/pdf"), "upload_size"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(world, settings, upload, code):  # noqa: F811
    settings.EGOV_DOSSIER_MAX_FILE_BYTES = 1024
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        submit(world, uploads=[Upload(PDF, "ok.pdf", "application/pdf"), upload])
    assert "components.1" in caught.value.message_dict
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()
    assert AuditEntry.objects.count() == before
    assert (
        not list((settings.MEDIA_ROOT / "dossiers").glob("*/*"))
        if (settings.MEDIA_ROOT / "dossiers").exists()
        else True
    )
    # The failed intake gave its number back: the next dossier is still 0001.
    assert submit(world).code.endswith("-0001")


def test_form_data_failing_the_schema_is_refused(world):  # noqa: F811
    if not world.version.application_form:
        pytest.skip("version without a form")
    with pytest.raises(ValidationError):
        submit(world, form_data={"unknown": 1})
    assert not Dossier.objects.exists()


def test_full_lifecycle_with_workflow_and_progress(world):  # noqa: F811
    d = submit(world)
    d = services.receive(d, actor=world.desk.user)
    assert d.status == Status.RECEIVED and d.current_step == world.steps[0]
    cal = WorkingCalendar.for_organisation(world.a)
    assert d.due_at == cal.due(d.received_at, 3, "working_days")
    assert d.received_at < d.at_risk_at < d.due_at
    d = services.start_processing(d, actor=world.desk.user, assignee=world.processor)
    assert d.status == Status.PROCESSING and d.current_step == world.steps[1]
    assert d.assignments.get(ended_at__isnull=True).official == world.processor
    assert d.step_due_at <= d.due_at
    d = services.forward(d, actor=world.processor.user, assignee=world.approver)
    assert d.current_step == world.steps[2]
    d = services.return_to_step(d, actor=world.approver.user, step=world.steps[1], reason="Thiếu")
    assert d.current_step == world.steps[1]
    d = services.forward(d, actor=world.processor.user)
    services.attach_result(
        d,
        actor=world.approver.user,
        content=small_signed_pdf(world.a),
        filename="kq.pdf",
        name="Giấy xác nhận",
    )
    d = services.approve(d, actor=world.approver.user)
    assert d.status == Status.PROCESSED and d.timeliness in {"early", "on_time"}
    d = services.return_result(d, actor=world.desk.user)
    assert d.status == Status.RESULT_RETURNED
    acts = list(d.progress.values_list("action", flat=True))
    assert acts == [
        "submit",
        "receive",
        "start_processing",
        "assign",
        "forward",
        "assign",
        "return_to_step",
        "forward",
        "attach_result",
        "approve",
        "return_result",
    ]
    first = d.progress.get(action="start_processing")
    assert (first.actor_name, first.organisation_id) == ("desk_a", world.a.pk)
    assert first.step_due_at is not None
    entry = CitizenDataStoreEntry.objects.get(citizen=world.citizen)
    # A later dossier reuses the result from the data store.
    again = submit(world, uploads=[], reuse=[Reuse(entry.pk)])
    component = again.components.get()
    assert component.reused and component.digitised and component.reused_from == entry


def test_walk_in_is_received_at_once(world):  # noqa: F811
    d = walk_in(world)
    assert d.status == Status.RECEIVED and d.due_at is not None
    assert list(d.progress.values_list("action", flat=True)) == ["register", "receive"]


def test_out_of_order_transitions_are_refused(world):  # noqa: F811
    d = submit(world)
    for act in (services.approve, services.return_result, services.start_processing):
        with pytest.raises(IllegalTransition):
            act(d, actor=None)
    d = services.refuse(d, actor=world.desk.user, reason="Không thuộc thẩm quyền")
    with pytest.raises(IllegalTransition):
        services.receive(d, actor=world.desk.user)
    assert Dossier.objects.get(pk=d.pk).status == Status.NOT_RECEIVED
    assert d.progress.count() == 2


def test_officials_of_another_commune_may_not_act(world):  # noqa: F811
    d = submit(world)
    with pytest.raises(PermissionDenied):
        services.receive(d, actor=world.desk_b.user)
    with pytest.raises(PermissionDenied):
        services.receive(d, actor=world.other.user)
    assert Dossier.objects.get(pk=d.pk).status == Status.NEW


def test_supplement_once_pauses_the_clock_and_moves_the_due_time(world, monkeypatch):  # noqa: F811
    d = services.receive(submit(world), actor=world.desk.user)
    due = d.due_at
    request = services.request_supplement(
        d, actor=world.desk.user, items=[{"name": "Bản sao giấy khai sinh"}, {"name": "Ảnh"}]
    )
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.paused_at is not None
    with pytest.raises(services.DossierError) as caught:
        services.request_supplement(d, actor=world.desk.user, items=[{"name": "Thêm"}])
    assert caught.value.code == "supplement_once"
    # The pause began at a working moment and the supplement comes two working days (16 office
    # hours) later: the clock is fixed there, so the paused time does not depend on the hour
    # the suite runs at (a real "now" inside office hours moves between two reads).
    cal = WorkingCalendar.for_organisation(world.a)
    start = cal.add(d.received_at, dt.timedelta(0))
    resumed_at = cal.add(start, dt.timedelta(hours=16))
    Dossier.objects.filter(pk=d.pk).update(paused_at=start)
    monkeypatch.setattr(timezone, "now", lambda: resumed_at)
    d = services.supplement(
        d, actor=world.citizen.user, uploads=[Upload(PDF, "bs.pdf", "application/pdf")]
    )
    paused = cal.between(start, resumed_at)
    assert paused == dt.timedelta(hours=16)
    assert d.status == Status.RECEIVED and d.paused_at is None
    assert d.paused_total == paused
    assert d.due_at == cal.add(due, paused)
    request.refresh_from_db()
    assert request.paused_working_time == paused
    assert d.components.filter(from_supplement=True).count() == 1


def test_apology_once_before_the_due_time(world):  # noqa: F811
    d = services.receive(submit(world), actor=world.desk.user)
    new_due = d.due_at + dt.timedelta(days=5)
    apology = services.issue_apology(
        d, actor=world.processor.user, reason="Cần xác minh", new_due_at=new_due
    )
    assert apology.previous_due_at < new_due
    d.refresh_from_db()
    assert d.due_at == new_due
    with pytest.raises(services.DossierError) as caught:
        services.issue_apology(
            d,
            actor=world.processor.user,
            reason="Lần hai",
            new_due_at=new_due + dt.timedelta(days=1),
        )
    assert caught.value.code == "apology_exists"


def test_apology_after_the_due_time_is_refused(world):  # noqa: F811
    d = services.receive(submit(world), actor=world.desk.user)
    Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(services.DossierError) as caught:
        services.issue_apology(
            d,
            actor=world.processor.user,
            reason="Muộn",
            new_due_at=timezone.now() + dt.timedelta(days=3),
        )
    assert caught.value.code == "apology_too_late"
    assert not hasattr(Dossier.objects.get(pk=d.pk), "apology") or True
    assert ProgressRecord.objects.filter(dossier=d, action="apology").count() == 0


def test_at_risk_and_timeliness(world):  # noqa: F811
    d = services.receive(submit(world), actor=world.desk.user)
    assert not services.is_at_risk(d)
    assert services.is_at_risk(d, now=d.at_risk_at)
    assert services.timeliness(d) == "within_time"
    assert services.timeliness(d, now=d.due_at + dt.timedelta(seconds=1)) == "overdue"
    late = services.receive(submit(world), actor=world.desk.user)
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    late = services.start_processing(late, actor=world.desk.user)
    late = services.mark_processed(late, actor=world.processor.user)
    assert late.timeliness == "late"
    rows = services.timeliness_counts(Dossier.objects.all())
    assert rows == [
        {
            "organisation": world.a.pk,
            "code": world.a.code,
            "early": 0,
            "on_time": 0,
            "late": 1,
            "within_time": 1,
            "overdue": 0,
            "total": 2,
        }
    ]


def test_transfer_continues_the_same_dossier_and_both_see_it(world):  # noqa: F811
    from egov.dossiers.access import visible_dossiers

    d = services.start_processing(
        services.receive(submit(world), actor=world.desk.user), actor=world.desk.user
    )
    services.transfer(d, actor=world.processor.user, to_organisation=world.b, reason="Liên thông")
    d.refresh_from_db()
    assert d.organisation == world.b and d.origin_organisation == world.a
    assert visible_dossiers(world.desk.user).filter(pk=d.pk).exists()
    assert visible_dossiers(world.desk_b.user).filter(pk=d.pk).exists()
    with pytest.raises(PermissionDenied):
        services.mark_processed(d, actor=world.processor.user)
    d = services.mark_processed(d, actor=world.desk_b.user)
    assert d.status == Status.PROCESSED
    assert d.progress.filter(action="transfer").exists()
