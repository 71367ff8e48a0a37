"""Application: a dossier, its form data and its files in one transaction, or nothing."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.catalog.forms import clean_submission
from egov.catalog.models import ChannelKind
from egov.dossiers.models import (
    CitizenDataStoreEntry,
    Dossier,
    DossierComponent,
    Status,
)

from . import _common, files, numbering
from .deadlines import calendar_of, fix_due, step_due, steps_for


@dataclass
class Upload:
    """One file as received: content (bytes or a Django File), the name and the declared type."""

    content: object
    filename: str
    declared_type: str
    required_document_id: int | None = None
    name: str = ""
    digitised: bool = True


@dataclass
class Reuse:
    """A component taken from the applicant's data store instead of an upload."""

    entry_id: int
    required_document_id: int | None = None


@dataclass
class ApplicantData:
    """The applicant as printed on the forms; ``id_number`` is the 12-digit ID or the tax code."""

    name: str
    id_number: str
    kind: str = "citizen"
    email: str = ""
    phone: str = ""
    address: str = ""
    extra: dict = field(default_factory=dict)


def _channel(version, kind: str):
    channels = list(version.channels.all())
    for channel in channels:
        if channel.kind == kind:
            return channel
    if kind == ChannelKind.IN_PERSON and channels:
        return channels[0]
    raise ValidationError(
        {
            "channel": [
                _("This procedure cannot be applied for this way (%(kind)s).") % {"kind": kind}
            ]
        }
    )


def _check_applicant(applicant: ApplicantData) -> None:
    errors = {}
    if not (applicant.name or "").strip():
        errors["applicant.name"] = [_("Give the applicant's name.")]
    id_number = (applicant.id_number or "").strip()
    import re

    if not re.fullmatch(r"\d{12}|\d{10}(-\d{3})?", id_number):
        errors["applicant.id_number"] = [
            _("Give a 12-digit personal ID number or a tax code (10 or 10-3 digits).")
        ]
    if errors:
        raise ValidationError(errors)


def _applicant_of(citizen) -> ApplicantData:
    return ApplicantData(
        name=citizen.full_name,
        id_number=citizen.personal_id_number,
        email=citizen.email,
        phone=citizen.phone,
    )


def _checked_uploads(version, uploads):
    """Every upload checked before anything is written (first failure raises)."""
    allowed_docs = set(version.required_documents.values_list("pk", flat=True))
    checked = []
    for index, upload in enumerate(uploads):
        if upload.required_document_id and upload.required_document_id not in allowed_docs:
            raise ValidationError(
                {f"components.{index}": [_("This document is not one the procedure asks for.")]}
            )
        try:
            checked.append(
                (upload, files.check(upload.content, upload.filename, upload.declared_type))
            )
        except ValidationError as exc:
            raise ValidationError({f"components.{index}": exc.messages}) from exc
    return checked


class _Stored:
    """Files written during a transaction; deleted again if it rolls back."""

    def __init__(self):
        self.names: list[str] = []

    def save(self, name: str, data: bytes) -> str:
        stored = default_storage.save(name, ContentFile(data))
        self.names.append(stored)
        return stored

    def discard(self) -> None:
        for name in self.names:
            with contextlib.suppress(Exception):
                default_storage.delete(name)


def add_components(dossier, checked, reuse=(), *, supplement=False, stored: _Stored):
    from .files import sniff  # noqa: F401 - keep the content checks in one module

    components = []
    for upload, f in checked:
        component = DossierComponent(
            dossier=dossier,
            required_document_id=upload.required_document_id,
            name=(upload.name or f.filename)[:255],
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            digitised=upload.digitised,
            from_supplement=supplement,
        )
        component.file.name = stored.save(f"dossiers/{dossier.pk}/{f.filename}", f.data)
        components.append(component)
    for index, item in enumerate(reuse):
        entry = CitizenDataStoreEntry.objects.filter(pk=item.entry_id).first()
        owner_ok = entry is not None and (
            (entry.citizen_id and entry.citizen_id == dossier.applicant_citizen_id)
            or (entry.tax_code and entry.tax_code == dossier.applicant_id_number)
        )
        if not owner_ok:
            raise ValidationError(
                {f"reuse.{index}": [_("This is not a document of the applicant's data store.")]}
            )
        components.append(
            DossierComponent(
                dossier=dossier,
                required_document_id=item.required_document_id,
                name=entry.name[:255],
                file=entry.file.name,
                content_type=entry.content_type,
                sha256=entry.sha256,
                digitised=True,
                reused=True,
                reused_from=entry,
                from_supplement=supplement,
            )
        )
    DossierComponent.objects.bulk_create(components)
    return components


def _create(
    *,
    actor,
    act: str,
    version,
    organisation,
    channel_kind: str,
    applicant: ApplicantData,
    citizen,
    form_data,
    uploads,
    reuse,
    receive: bool,
    decision=None,
) -> Dossier:
    _check_applicant(applicant)
    schema = version.application_form or {}
    cleaned = clean_submission(schema, form_data) if schema else dict(form_data or {})
    channel = _channel(version, channel_kind)
    checked = _checked_uploads(version, uploads)
    stored = _Stored()
    try:
        with transaction.atomic():
            now = timezone.now()
            dossier = Dossier(
                code=numbering.next_code(organisation, now),
                procedure_version=version,
                channel=channel,
                origin_organisation=organisation,
                organisation=organisation,
                applicant_kind=applicant.kind,
                applicant_citizen=citizen,
                applicant_id_number=applicant.id_number.strip(),
                applicant_name=applicant.name.strip()[:255],
                applicant_email=applicant.email or "",
                applicant_phone=applicant.phone or "",
                applicant_address=applicant.address or "",
                status=Status.NEW,
                form_data=cleaned,
                submitted_at=now,
            )
            dossier.save(force_insert=True)
            add_components(dossier, checked, reuse, stored=stored)
            _common.record(
                dossier, actor=actor, act=act, from_status=None, decision=decision, at=now
            )
            if receive:
                steps = steps_for(dossier)
                cal = calendar_of(organisation)  # once for the due time and the first step's
                fix_due(dossier, now, cal)
                dossier.status = Status.RECEIVED
                dossier.current_step = steps[0] if steps else None
                dossier.step_due_at = step_due(dossier, dossier.current_step, steps, cal=cal)
                dossier.save()
                _common.record(
                    dossier, actor=actor, act="receive", from_status=Status.NEW, decision=decision
                )
    except BaseException:
        stored.discard()
        raise
    return dossier


def submit_online(
    *,
    actor,
    procedure_version,
    organisation,
    form_data: dict,
    uploads: list[Upload] = (),
    reuse: list[Reuse] = (),
    applicant: ApplicantData | None = None,
    citizen=None,
) -> Dossier:
    """A citizen's (or an integration's) online application: status 1 new.

    Validates ``form_data`` with the version's schema (egov.catalog.forms.clean_submission),
    checks each upload by content (PDF/JPEG/PNG magic bytes), size (EGOV_DOSSIER_MAX_FILE_BYTES)
    and declared type, draws the code ``<org code>-<YYMMDD>-<NNNN>``, stores the files, and writes
    the dossier, its components, a ProgressRecord and the audit row in one transaction. The
    channel is the version's online channel (ValidationError if it has none). ``citizen``
    defaults to the actor's Citizen; ``applicant`` defaults to the citizen's details. An API
    client needs ``dossiers.apply`` at ``organisation``.
    """
    decision = None
    user = _common.user_of(actor)
    if citizen is None and user is not None:
        citizen = getattr(user, "citizen", None) if hasattr(user, "citizen") else None
    if actor is not None and citizen is None:
        decision = policy.decide(actor, "dossiers.apply", organisation)
        if not decision.allowed:
            raise PermissionDenied(_("Only a citizen or an authorised system may apply."))
    elif citizen is not None and user is not None and citizen.user_id != user.pk:
        raise PermissionDenied(_("You may apply only for yourself."))
    if applicant is None:
        if citizen is None:
            raise ValidationError({"applicant": [_("Say who the applicant is.")]})
        applicant = _applicant_of(citizen)
    return _create(
        actor=actor,
        act="submit",
        version=procedure_version,
        organisation=organisation,
        channel_kind=ChannelKind.ONLINE,
        applicant=applicant,
        citizen=citizen,
        form_data=form_data,
        uploads=uploads,
        reuse=reuse,
        receive=False,
        decision=decision,
    )


def register_in_person(
    *,
    actor,
    procedure_version,
    organisation,
    applicant: ApplicantData,
    form_data: dict,
    uploads: list[Upload] = (),
    citizen=None,
    receive: bool = True,
) -> Dossier:
    """A one-stop desk official registers a walk-in applicant's dossier (in-person channel).

    Same checks as ``submit_online``; needs ``dossiers.receive`` at ``organisation``. With
    ``receive`` (default) the dossier is received in the same transaction (status 2, due time
    fixed), else it stays 1 new.
    """
    decision = None
    if actor is not None:
        decision = policy.check(actor, "dossiers.receive", organisation)
    return _create(
        actor=actor,
        act="register",
        version=procedure_version,
        organisation=organisation,
        channel_kind=ChannelKind.IN_PERSON,
        applicant=applicant,
        citizen=citizen,
        form_data=form_data,
        uploads=uploads,
        reuse=(),
        receive=receive,
        decision=decision,
    )
