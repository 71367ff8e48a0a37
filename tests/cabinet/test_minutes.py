"""The signed minutes of a closed meeting, sent through the document exchange: sealed by the
Government Office (checked by pyHanko and poppler's pdfsig), registered as a BB document and
delivered to the organisations given tasks; refused, with nothing written, before the close,
twice, without recipients or without the exchange's right to send."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.test import Client

from egov.accounts.services import officials as official_services
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.services import floor, meetings, minutes
from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.exchange.models import Delivery, OfficialDocument

from ..core.signing_support import assert_pdfsig_shows, assert_valid_by_pyhanko
from .test_meetings import schedule


@pytest.fixture
def held(gov):
    """A meeting held: attendance, a speaker, a vote, a conclusion with a task, closed."""
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G03", "Bộ Tư pháp", "central")
    )
    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    meeting = schedule(gov)
    item = meeting.items.get(position=2)
    for member in gov.members[:20]:
        meetings.attend(gov.secretary, meeting, member)
    speaker = floor.request_to_speak(gov.members[3].official, item)
    floor.start(gov.secretary, speaker)
    floor.stop(gov.secretary, speaker)
    vote = floor.open_vote(gov.secretary, item, "Thông qua dự thảo Nghị định?")
    for member in gov.members[:15]:
        floor.cast_vote(member.official, vote, "agree")
    floor.close_vote(gov.secretary, vote)
    task = meetings.TaskData("Hoàn thiện dự thảo", ministry, meeting.date + dt.timedelta(days=30))
    meetings.conclude(gov.secretary, item, "Thống nhất thông qua dự thảo", [task])
    return meeting, ministry


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_minutes_are_sealed_and_sent_through_the_exchange(gov, held, tmp_path):
    meeting, ministry = held
    with pytest.raises(IllegalTransition):  # not closed yet
        minutes.send(gov.secretary, meeting)
    assert not OfficialDocument.objects.exists()
    meetings.close(gov.secretary, meeting)
    meeting.refresh_from_db()
    doc = minutes.send(gov.secretary, meeting)
    assert doc.document_type == "BB" and doc.organisation == gov.office
    assert doc.state == "sent" and doc.package is not None
    delivery = Delivery.objects.get(package=doc.package)
    assert delivery.recipient == ministry
    with default_storage.open(doc.pdf, "rb") as handle:
        pdf = handle.read()
    assert_valid_by_pyhanko(pdf, signer_cn="Văn phòng Chính phủ")
    assert_pdfsig_shows(pdf, tmp_path, "Văn phòng Chính phủ")
    text = _text(pdf, tmp_path)
    for expected in ("Biên bản", "Thống nhất thông qua dự thảo", "Hoàn thiện dự thảo", "15"):
        assert expected in text, text
    meeting.refresh_from_db()
    assert meeting.minutes_document == doc
    assert AuditEntry.objects.filter(action="cabinet.meeting.minutes").count() == 1
    with pytest.raises(IllegalTransition):  # once
        minutes.send(gov.secretary, meeting)
    assert OfficialDocument.objects.count() == 1
    # The page offers the PDF to those who take part, not to others.
    member = Client()
    member.force_login(gov.members[5].official.user)
    page = member.get(f"/cabinet/meetings/{meeting.number}/").content.decode()
    assert "Bộ Tư pháp" in page and doc.number_notation in page
    got = member.get(f"/cabinet/meetings/{meeting.number}/minutes.pdf")
    assert got.status_code == 200 and got.content == pdf
    outsider = Client()
    outsider.force_login(gov.outsider.user)
    assert outsider.get(f"/cabinet/meetings/{meeting.number}/minutes.pdf").status_code == 404


def test_minutes_refused_without_recipients_or_the_right_to_send(gov):
    meeting = schedule(gov)
    meetings.attend(gov.secretary, meeting, gov.members[0])
    meetings.close(gov.secretary, meeting)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as caught:  # no task, nobody chosen
        minutes.send(gov.secretary, meeting)
    assert caught.value.code == "recipients"
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G04", "Bộ Công an", "central")
    )
    with pytest.raises(PermissionDenied):  # the secretary is no clerk of the exchange yet
        minutes.send(gov.secretary, meeting, [ministry])
    with pytest.raises(PermissionDenied):  # a member is no secretariat
        minutes.send(gov.members[1].official, meeting, [ministry])
    assert not OfficialDocument.objects.exists()
    meeting.refresh_from_db()
    assert meeting.minutes_document is None
    assert not AuditEntry.objects.filter(action="cabinet.meeting.minutes").exists()


def test_the_secretariat_sends_the_minutes_from_the_page(gov):
    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G04", "Bộ Công an", "central")
    )
    meeting = schedule(gov)
    meetings.attend(gov.secretary, meeting, gov.members[0])
    meetings.close(gov.secretary, meeting)
    client = Client()
    client.force_login(gov.secretary.user)
    url = f"/cabinet/meetings/{meeting.number}/"
    assert "Ký số và gửi biên bản" in client.get(url).content.decode()
    refused = client.post(url, {"act": "minutes"})
    assert refused.status_code == 400 and not OfficialDocument.objects.exists()
    assert client.post(url, {"act": "minutes", "recipients": [ministry.pk]}).status_code == 302
    assert Delivery.objects.get().recipient == ministry


def test_the_tally_report_is_sent_through_the_exchange(gov):
    from egov.cabinet.models import Ballot
    from egov.cabinet.services import report

    from .conftest import issue, vote

    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G04", "Bộ Công an", "central")
    )
    ballot = issue(gov)
    with pytest.raises(IllegalTransition):  # open: no result yet
        minutes.send_report(gov.secretary, ballot, [ministry])
    for member in gov.members[:14]:
        vote(ballot, member, "agree")
    ballot = Ballot.objects.get(pk=ballot.pk)
    assert ballot.status == "decided"
    with pytest.raises(IllegalTransition):  # the report is made by the worker, not yet
        minutes.send_report(gov.secretary, ballot, [ministry])
    report.make(ballot.pk)
    ballot = Ballot.objects.get(pk=ballot.pk)
    with pytest.raises(ValidationError):
        minutes.send_report(gov.secretary, ballot, [])
    with pytest.raises(PermissionDenied):
        minutes.send_report(gov.members[2].official, ballot, [ministry])
    assert not OfficialDocument.objects.exists()
    client = Client()
    client.force_login(gov.secretary.user)
    url = f"/cabinet/{ballot.number}/"
    assert "Gửi báo cáo qua trục liên thông" in client.get(url).content.decode()
    sent = client.post(url, {"act": "send_report", "recipients": [ministry.pk]})
    assert sent.status_code == 302
    doc = OfficialDocument.objects.get()
    assert doc.document_type == "BC" and doc.state == "sent"
    assert Delivery.objects.get(package=doc.package).recipient == ministry
    with default_storage.open(doc.pdf, "rb") as handle:
        assert handle.read() == bytes(ballot.report_pdf)
    with pytest.raises(IllegalTransition):
        minutes.send_report(gov.secretary, Ballot.objects.get(pk=ballot.pk), [ministry])
    assert AuditEntry.objects.filter(action="cabinet.report_sent").count() == 1
