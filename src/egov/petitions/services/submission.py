"""Submitting a petition: only an identified person (a citizen logged in with the e-ID, maybe
acting for a business she represents); anonymous petitions are refused, as the national rules
require identity. Attachments are checked by content like a dossier's files
(egov.dossiers.services.files); the code is drawn gap-free per year; the submitter is e-mailed
through the outbox. One transaction; nothing is written when anything is refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Citizen
from egov.core import numbering
from egov.core.calendar import Unit
from egov.dossiers import scopes as dossier_scopes
from egov.dossiers.access import can_see
from egov.dossiers.services.files import StoredFiles, Upload, check
from egov.petitions import deadlines
from egov.petitions.errors import PetitionError
from egov.petitions.models import (
    Attachment,
    Category,
    Petition,
    PetitionSequence,
    Status,
    SubmitterKind,
)
from egov.petitions.services._common import centre, finish, required, user_of

MAX_TITLE = 255
MAX_CONTENT = 10_000
MAX_FILES = 5


@dataclass
class PetitionData:
    title: str
    content: str
    category: str
    procedure: object = None
    dossier: object = None
    concerned_organisation: object = None
    publish_name: bool = False
    # The tax code of the business the citizen submits for (chosen at login), or "".
    business_tax_code: str = ""


def _submitter(actor) -> Citizen:
    user = user_of(actor)
    citizen = Citizen.objects.filter(user=user).first() if user is not None else None
    if citizen is None:
        raise PermissionDenied(
            _(
                "A petition needs the submitter's identity: log in with the e-ID "
                "(anonymous petitions are not accepted)."
            )
        )
    return citizen


def _clean(data: PetitionData, actor) -> None:
    errors = {}
    data.title = (data.title or "").strip()
    data.content = (data.content or "").strip()
    if not data.title:
        errors["title"] = [_("Give the petition a title.")]
    elif len(data.title) > MAX_TITLE:
        errors["title"] = [_("The title is at most %(n)s characters.") % {"n": MAX_TITLE}]
    if not data.content:
        errors["content"] = [_("Write what the petition is about.")]
    elif len(data.content) > MAX_CONTENT:
        errors["content"] = [_("The content is at most %(n)s characters.") % {"n": MAX_CONTENT}]
    if data.category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if data.dossier is not None and not can_see(actor, dossier_scopes.READ, data.dossier):
        errors["dossier"] = [_("Choose one of your own dossiers.")]
    if errors:
        raise PetitionError(errors, code="invalid")


def _checked(uploads):
    if len(uploads) > MAX_FILES:
        raise PetitionError(
            {"files": [_("Attach at most %(n)s files.") % {"n": MAX_FILES}]}, code="upload"
        )
    checked = []
    for upload in uploads:
        try:
            checked.append(check(upload.content, upload.filename, upload.declared_type))
        except ValidationError as exc:
            raise PetitionError({"files": exc.messages}, code="upload") from exc
    return checked


def attach(petition, checked, stored: StoredFiles, *, supplement=False) -> None:
    for f in checked:
        row = Attachment(
            petition=petition,
            name=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            supplement=supplement,
        )
        row.file.name = stored.save(f"petitions/{petition.code}/{f.filename}", f.data)
        row.save()


def submit(*, actor, data: PetitionData, uploads: list[Upload] = ()) -> Petition:
    """A new petition, status 1 (received at the centre), with its code, clocks and e-mail."""
    citizen = _submitter(actor)
    _clean(data, actor)
    kind, name, id_number = SubmitterKind.CITIZEN, citizen.full_name, citizen.personal_id_number
    if data.business_tax_code:
        representation = citizen.business_representations.filter(
            tax_code=data.business_tax_code, revoked_at__isnull=True
        ).first()
        if representation is None:
            raise PermissionDenied(_("You do not represent this business."))
        kind, id_number = SubmitterKind.BUSINESS, representation.tax_code
        name = representation.business_name or representation.tax_code
    checked = _checked(list(uploads))
    receiving = centre()
    stored = StoredFiles()
    try:
        with transaction.atomic():
            now = timezone.now()
            year = timezone.localtime(now).year
            number = numbering.draw(PetitionSequence, year=year)
            petition = Petition(
                code=f"PAKN-{year}-{number:06d}",
                title=data.title,
                content=data.content,
                category=data.category,
                procedure=data.procedure,
                dossier=data.dossier,
                concerned_organisation=data.concerned_organisation,
                submitter=citizen,
                submitter_kind=kind,
                submitter_name=name or _("(no name)"),
                submitter_id_number=id_number,
                submitter_email=citizen.email,
                publish_name=bool(data.publish_name),
                centre=receiving,
                organisation=receiving,
                status=Status.RECEIVED,
                received_at=now,
            )
            petition.refuse_due_at = deadlines.calendar(receiving).due(
                now, deadlines.REFUSE_DAYS, Unit.WORKING_DAYS
            )
            deadlines.start_answer_clock(petition, now)
            petition.save()
            attach(petition, checked, stored)
            finish(actor, petition, "submit", now=now, summary={"files": len(checked)})
    except BaseException:
        stored.discard()
        raise
    return petition


__all__ = ["PetitionData", "Upload", "attach", "required", "submit"]
