"""Handling a petition: the whole journey, the clocks, the signed answer, publishing, and each
refusal leaving everything as it was."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from egov.core.calendar import Unit, WorkingCalendar
from egov.core.models import AuditEntry, OutboxMessage
from egov.core.signing import verify_pdf
from egov.petitions import deadlines, services
from egov.petitions.errors import IllegalTransition
from egov.petitions.models import HandOff, Petition, Status
from tests.core.signing_support import assert_pdfsig_shows

from .conftest import at_commune, submitted
from .conftest import data as _data

pytestmark = pytest.mark.django_db


def _snapshot(petition):
    row = Petition.objects.get(pk=petition.pk)
    return (
        row.status,
        row.organisation_id,
        row.due_at,
        row.answer_text,
        row.published_at,
        HandOff.objects.filter(petition=petition).count(),
        AuditEntry.objects.filter(action__startswith="petitions.").count(),
        OutboxMessage.objects.count(),
    )


def test_the_whole_journey(world):
    petition = submitted(world, publish_name=False)
    services.forward(
        world.centre_desk.user, petition, to_organisation=world.a, note="Thẩm quyền xã"
    )
    petition.refresh_from_db()
    assert (petition.status, petition.organisation) == (Status.FORWARDED, world.a)
    services.accept(world.desk_a.user, petition)
    services.start(world.proc_a.user, petition)
    services.request_supplement(world.proc_a.user, petition, reason="Thiếu địa chỉ cụ thể")
    petition.refresh_from_db()
    assert petition.status == Status.SUPPLEMENT_REQUESTED and petition.paused_at is not None
    services.supplement(world.citizen.user, petition, note="Số 1 đường X")
    petition.refresh_from_db()
    assert petition.status == Status.HANDLING and petition.paused_at is None
    services.answer(world.lead_a.user, petition, text="Xã A đã rà soát và giảm hai loại giấy tờ.")
    petition.refresh_from_db()
    assert petition.status == Status.ANSWERED
    assert petition.answered_by == world.a and petition.answered_late is False
    # The publish clock: 2 working days from the answer.
    assert petition.due_at == WorkingCalendar.for_organisation(world.a).due(
        petition.answered_at, 2, Unit.WORKING_DAYS
    )
    services.publish(world.lead_a.user, petition)
    petition.refresh_from_db()
    assert petition.status == Status.PUBLISHED and petition.published_at is not None
    assert petition.due_at is None and petition.shown_name == ""
    acts = list(HandOff.objects.filter(petition=petition).values_list("act", flat=True))
    assert acts == [
        "submit",
        "forward",
        "accept",
        "start",
        "request_supplement",
        "supplement",
        "answer",
        "publish",
    ]
    audited = AuditEntry.objects.filter(object_id=str(petition.pk), action__startswith="petitions.")
    assert audited.count() == 8
    # The submitter was told at every step.
    assert OutboxMessage.objects.filter(kind="petitions.email").count() == 8


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "answer.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("consent", [False, True])
def test_the_answer_is_a_pdf_signed_by_the_answering_organisation(world, tmp_path, consent):
    petition = at_commune(world, submitted(world, publish_name=consent))
    services.answer(world.lead_a.user, petition, text="Trả lời: đã xử lý.")
    petition.refresh_from_db()
    pdf = petition.answer_file.read()
    verdict = verify_pdf(pdf)
    assert verdict.valid, verdict.signatures
    assert verdict.signer_code == world.a.code
    assert_pdfsig_shows(pdf, tmp_path, world.a.name)
    text = _text(pdf, tmp_path)
    assert "Trả lời: đã xử lý." in text and petition.code in text
    # The submitter's name only with their consent to publication.
    assert ("Nguyễn Văn An" in text) is consent


def test_a_transfer_restarts_the_answer_clock(world):
    petition = submitted(world)
    first_due = petition.due_at
    Petition.objects.filter(pk=petition.pk).update(
        received_at=petition.received_at - dt.timedelta(days=10),
        clock_started_at=petition.received_at - dt.timedelta(days=10),
        due_at=first_due - dt.timedelta(days=10),
    )
    services.forward(world.centre_desk.user, petition, to_organisation=world.a)
    petition.refresh_from_db()
    expected = WorkingCalendar.for_organisation(world.a).due(
        petition.clock_started_at, 15, Unit.WORKING_DAYS
    )
    assert petition.due_at == expected
    assert petition.clock_started_at > timezone.now() - dt.timedelta(minutes=1)
    # Returned to the centre and forwarded again: the clock restarts again.
    services.return_to_centre(world.desk_a.user, petition, reason="Không thuộc thẩm quyền xã")
    petition.refresh_from_db()
    assert (petition.status, petition.organisation) == (Status.RETURNED, world.centre)
    services.forward(world.centre_desk.user, petition, to_organisation=world.b)
    petition.refresh_from_db()
    assert petition.organisation == world.b and petition.status == Status.FORWARDED


def test_the_supplement_wait_stops_the_clock(world):
    petition = at_commune(world)
    services.request_supplement(world.proc_a.user, petition, reason="Thiếu thông tin")
    # The request was made three calendar weeks ago (working days passed while waiting).
    paused = timezone.now() - dt.timedelta(days=21)
    before = Petition.objects.get(pk=petition.pk)
    Petition.objects.filter(pk=petition.pk).update(paused_at=paused)
    services.supplement(world.citizen.user, petition, note="Bổ sung")
    petition.refresh_from_db()
    cal = WorkingCalendar.for_organisation(world.a)
    waited = cal.between(paused, petition.hand_offs.last().at)
    assert waited >= dt.timedelta(hours=8 * 14)
    assert petition.due_at == cal.add(before.due_at, waited)
    assert petition.paused_total == waited


def test_flags_at_risk_and_overdue(world):
    petition = at_commune(world)
    now = timezone.now()
    assert deadlines.flag(petition, now) == ""
    assert deadlines.flag(petition, petition.at_risk_at + dt.timedelta(seconds=1)) == "at_risk"
    assert deadlines.flag(petition, petition.due_at + dt.timedelta(seconds=1)) == "overdue"
    later = petition.due_at + dt.timedelta(seconds=1)
    assert Petition.objects.filter(deadlines.overdue_q(later)).get() == petition
    assert not Petition.objects.filter(deadlines.overdue_q(now)).exists()
    # The clock stopped: neither.
    services.request_supplement(world.proc_a.user, petition, reason="Thiếu")
    petition.refresh_from_db()
    assert deadlines.flag(petition, later) == ""


def test_publishing_without_an_answer_is_refused(world):
    petition = at_commune(world)
    # A petition in "answered" with no answer (made by hand: no act leads there without one).
    Petition.objects.filter(pk=petition.pk).update(status=Status.ANSWERED)
    before = _snapshot(petition)
    with pytest.raises(ValidationError) as caught:
        services.publish(world.lead_a.user, petition)
    assert caught.value.code == "no_answer"
    assert _snapshot(petition) == before


def test_publishing_before_answering_is_out_of_order(world):
    petition = at_commune(world)
    before = _snapshot(petition)
    with pytest.raises(IllegalTransition):
        services.publish(world.lead_a.user, petition)
    assert _snapshot(petition) == before


def test_answering_a_petition_of_another_organisation_is_refused(world):
    petition = at_commune(world)
    before = _snapshot(petition)
    with pytest.raises(PermissionDenied):
        services.answer(world.lead_b.user, petition, text="Không phải của xã B")
    assert _snapshot(petition) == before


def test_the_centre_cannot_answer_once_forwarded(world):
    petition = at_commune(world)
    before = _snapshot(petition)
    with pytest.raises(PermissionDenied):
        services.answer(world.centre_desk.user, petition, text="Trả lời thay")
    assert _snapshot(petition) == before


@pytest.mark.parametrize(
    ("act", "kwargs"),
    [
        ("accept", {}),
        ("start", {}),
        ("publish", {}),
        ("return_to_centre", {"reason": "x"}),
    ],
)
def test_acts_out_of_order_change_nothing(world, act, kwargs):
    petition = submitted(world)  # received at the centre
    before = _snapshot(petition)
    with pytest.raises((IllegalTransition, PermissionDenied)):
        services.ACT_FUNCTIONS[act](world.centre_desk.user, petition, **kwargs)
    assert _snapshot(petition) == before


def test_empty_reasons_and_answers_are_refused(world):
    petition = at_commune(world)
    before = _snapshot(petition)
    for act, kwargs, user in (
        ("refuse", {"reason": " "}, world.desk_a.user),
        ("request_supplement", {"reason": ""}, world.proc_a.user),
        ("answer", {"text": "  "}, world.lead_a.user),
    ):
        with pytest.raises(ValidationError):
            services.ACT_FUNCTIONS[act](user, petition, **kwargs)
    assert _snapshot(petition) == before


def test_a_supplement_needs_content_and_only_the_submitter_gives_it(world):
    petition = at_commune(world)
    services.request_supplement(world.proc_a.user, petition, reason="Thiếu")
    before = _snapshot(petition)
    with pytest.raises(ValidationError):
        services.supplement(world.citizen.user, petition, note="")
    with pytest.raises(PermissionDenied):
        services.supplement(world.other.user, petition, note="Tôi không phải người gửi")
    with pytest.raises(PermissionDenied):
        services.supplement(world.proc_a.user, petition, note="Cán bộ bổ sung hộ")
    assert _snapshot(petition) == before


def test_refusing_outside_scope(world):
    petition = submitted(world)
    services.refuse(world.centre_desk.user, petition, reason="Đây là khiếu nại: theo thủ tục khác")
    petition.refresh_from_db()
    assert petition.status == Status.REFUSED and petition.due_at is None
    entry = AuditEntry.objects.get(action="petitions.refuse")
    assert entry.summary["late"] is False


def test_forwarding_to_the_same_organisation_is_refused(world):
    petition = submitted(world)
    before = _snapshot(petition)
    with pytest.raises(ValidationError):
        services.forward(world.centre_desk.user, petition, to_organisation=world.centre)
    assert _snapshot(petition) == before


def test_similar_petitions_merged_under_one_answer_each_submitter_told(world):
    from egov.petitions import services as s

    lead = at_commune(world)
    other = at_commune(world, s.submit(actor=world.other.user, data=_data(publish_name=True)))
    s.merge(world.proc_a.user, other, into=lead)
    other.refresh_from_db()
    assert other.merged_into == lead and other.status == Status.HANDLING
    # It follows its lead: no act of its own.
    with pytest.raises(IllegalTransition):
        s.answer(world.lead_a.user, other, text="Riêng")
    mails = OutboxMessage.objects.filter(kind="petitions.email").count()
    s.answer(world.lead_a.user, lead, text="Một câu trả lời cho cả hai.")
    other.refresh_from_db()
    assert other.status == Status.ANSWERED and other.answer_text == "Một câu trả lời cho cả hai."
    assert verify_pdf(other.answer_file.read()).signer_code == world.a.code
    s.publish(world.lead_a.user, lead)
    other.refresh_from_db()
    assert other.status == Status.PUBLISHED and other.shown_name == "Trần Thị Bình"
    # Both submitters told at the answer and at publication.
    assert OutboxMessage.objects.filter(kind="petitions.email").count() == mails + 4
    assert set(
        AuditEntry.objects.filter(action="petitions.answer").values_list("object_id", flat=True)
    ) == {str(lead.pk), str(other.pk)}


def test_merging_into_another_organisations_petition_is_refused(world):
    from egov.petitions import services as s

    mine = at_commune(world)
    elsewhere = submitted(world)  # still at the centre
    before = _snapshot(mine)
    with pytest.raises(ValidationError):
        s.merge(world.proc_a.user, mine, into=elsewhere)
    with pytest.raises(ValidationError):
        s.merge(world.proc_a.user, mine, into=mine)
    assert _snapshot(mine) == before
