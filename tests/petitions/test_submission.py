"""Submitting a petition: identity required, input checked, files checked by content, the code
gap-free, the e-mail through the outbox; nothing written when refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from egov.accounts.models import BusinessRepresentation
from egov.core.models import AuditEntry, OutboxMessage
from egov.petitions import services
from egov.petitions.models import Attachment, HandOff, Petition, Status, SubmitterKind
from egov.petitions.services import Upload

from .conftest import PDF, data, submitted

pytestmark = pytest.mark.django_db


def _nothing_written():
    assert Petition.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert not OutboxMessage.objects.filter(kind="petitions.email").exists()
    assert not AuditEntry.objects.filter(action__startswith="petitions.").exists()


def test_a_citizen_submits_and_gets_a_code_an_email_and_a_timeline(world):
    petition = services.submit(
        actor=world.citizen.user,
        data=data(procedure=None, concerned_organisation=world.a, publish_name=True),
        uploads=[Upload(PDF, "anh.pdf", "application/pdf")],
    )
    assert petition.code.startswith("PAKN-") and petition.code.endswith("-000001")
    assert petition.status == Status.RECEIVED
    assert petition.organisation == world.centre == petition.centre
    assert petition.submitter_kind == SubmitterKind.CITIZEN
    assert petition.submitter_name == "Nguyễn Văn An"
    assert petition.due_at > petition.received_at > petition.refuse_due_at.replace(year=2000)
    assert petition.refuse_due_at < petition.supplement_due_at < petition.due_at
    [attachment] = petition.attachments.all()
    assert attachment.file.read() == PDF
    [mail] = OutboxMessage.objects.filter(kind="petitions.email")
    assert mail.payload["recipients"] == ["citizen_1@example.vn"]
    assert petition.code in mail.payload["subject"]
    assert (
        AuditEntry.objects.filter(action="petitions.submit", object_id=str(petition.pk)).count()
        == 1
    )
    assert HandOff.objects.filter(petition=petition, act="submit").count() == 1


def test_codes_are_consecutive(world):
    first, second = submitted(world), submitted(world)
    assert int(second.code[-6:]) == int(first.code[-6:]) + 1


def test_a_rolled_back_submission_gives_its_number_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        submitted(world)
        raise RuntimeError
    assert submitted(world).code.endswith("-000001")


@pytest.mark.parametrize("actor", [None, "anonymous"])
def test_anonymous_petitions_are_refused(world, actor):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.submit(actor=AnonymousUser() if actor else None, data=data())
    _nothing_written()


def test_an_official_is_not_a_submitter(world):
    with pytest.raises(PermissionDenied):
        services.submit(actor=world.desk_a.user, data=data())
    _nothing_written()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content": "   "}, "content"),
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"category": "complaint"}, "category"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(world, changes, field):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        services.submit(actor=world.citizen.user, data=data(**changes))
    assert field in caught.value.message_dict
    _nothing_written()


@pytest.mark.parametrize(
    ("content", "name", "declared"),
    [
        (b"MZ\x90\x00" + b"\x00" * 40, "thu.pdf", "application/pdf"),  # an executable as a PDF
        (PDF, "thu.exe", "application/pdf"),
        (PDF, "thu.pdf", "application/x-msdownload"),
        (b"", "rong.pdf", "application/pdf"),
    ],
)
def test_disguised_or_empty_attachments_are_refused(world, content, name, declared):
    with pytest.raises(ValidationError) as caught:
        services.submit(
            actor=world.citizen.user, data=data(), uploads=[Upload(content, name, declared)]
        )
    assert "files" in caught.value.message_dict
    _nothing_written()


def test_oversize_attachments_are_refused(world, settings):
    settings.EGOV_DOSSIER_MAX_FILE_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        services.submit(
            actor=world.citizen.user,
            data=data(),
            uploads=[Upload(PDF + b"0" * 200, "lon.pdf", "application/pdf")],
        )
    assert "files" in caught.value.message_dict
    _nothing_written()


def test_a_file_failing_late_leaves_no_stored_file(world, monkeypatch):
    from egov.petitions.services import submission

    saved = []
    real = submission.StoredFiles.save

    def save(self, name, content):
        saved.append(real(self, name, content))
        return saved[-1]

    def fail(*args, **kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(submission.StoredFiles, "save", save)
    monkeypatch.setattr(submission, "finish", fail)
    with pytest.raises(RuntimeError):
        services.submit(
            actor=world.citizen.user, data=data(), uploads=[Upload(PDF, "a.pdf", "application/pdf")]
        )
    from django.core.files.storage import default_storage

    assert saved and not any(default_storage.exists(n) for n in saved)
    _nothing_written()


def test_a_business_representative_submits_for_the_business(world):
    BusinessRepresentation.objects.create(
        citizen=world.citizen, tax_code="0101234567", business_name="Công ty TNHH An Bình"
    )
    petition = services.submit(actor=world.citizen.user, data=data(business_tax_code="0101234567"))
    assert petition.submitter_kind == SubmitterKind.BUSINESS
    assert petition.submitter_name == "Công ty TNHH An Bình"
    assert petition.submitter_id_number == "0101234567"


def test_a_business_not_represented_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.submit(actor=world.citizen.user, data=data(business_tax_code="0109999999"))
    _nothing_written()
