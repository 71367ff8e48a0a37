"""Application: a dossier, its form data and its files in one transaction, or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.accounts.services.representations import may_apply_for
from egov.catalog.forms import clean_submission
from egov.catalog.models import ChannelKind
from egov.core.services import audit
from egov.dossiers import scopes
from egov.dossiers.errors import NotRepresented
from egov.dossiers.models import (
    Dossier,
    DossierComponent,
    Status,
)

from . import _common, form_schema, numbering
from .files import Reuse, StoredFiles, Upload, checked_uploads, components_of
from .lifecycle import _receive_spec


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


def _channel(version, kind: str, channels=None):
    channels = list(version.channels.all()) if channels is None else channels
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
    if not re.fullmatch(r"\d{12}|\d{10}(-\d{3})?", id_number):
        errors["applicant.id_number"] = [
            _("Give a 12-digit personal ID number or a tax code (10 or 10-3 digits).")
        ]
    if errors:
        raise ValidationError(errors)


def _check_acting_for(actor, citizen, applicant: ApplicantData, version) -> None:
    """A citizen files for herself, a business she represents (the identity provider says so
    at login, or an office recorded it) or a person an office recorded her as acting for
    (egov.accounts.services.representations); anything else is refused and audited.
    Without this the applicant's ID number was whatever the caller typed: the dossier showed in
    the public lookup under another person's number, and the data store's check (by tax code)
    let her reuse, then download, another company's documents."""
    if may_apply_for(citizen, applicant.kind, applicant.id_number):
        return
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="dossiers.application_refused",
            object_type="catalog.procedureversion",
            object_id=version.pk,
            # No ID number in the log: the reason and the kind of applicant named.
            summary={"reason": "not_represented", "applicant_kind": applicant.kind},
        )
    raise NotRepresented(
        _(
            "You may apply only for yourself, or for a person or a business you are recorded "
            "as representing."
        )
    )


def _applicant_of(citizen) -> ApplicantData:
    return ApplicantData(
        name=citizen.full_name,
        id_number=citizen.personal_id_number,
        email=citizen.email,
        phone=citizen.phone,
    )


def _with_form_contact(applicant: ApplicantData, schema: dict, data: dict, units: dict):
    """The applicant's phone and address as the form gives them (the ``applicant`` group's, else
    the form's own): what the applicant declared for this dossier wins over the e-ID's phone,
    and the tracking book prints it. The units were looked up by the validation (``units``)."""
    props = schema.get("properties") or {}
    group, values = props, data
    if (props.get("applicant") or {}).get("x-egov-type") == "group":
        group = props["applicant"].get("properties") or {}
        values = data.get("applicant") or {}
    phone = address = ""
    for key, spec in group.items():
        kind, value = spec.get("x-egov-type"), values.get(key)
        if kind == "phone" and value and not phone:
            phone = str(value)
        elif kind == "address" and isinstance(value, dict) and not address:
            names = {
                code: unit.name
                for (code, _day), unit in units.items()
                if unit is not None and code in (value.get("commune"), value.get("province"))
            }
            parts = [str(value.get("street") or "").strip()]
            parts += [names.get(value.get(k), value.get(k) or "") for k in ("commune", "province")]
            address = ", ".join(p for p in parts if p)
    changes = {k: v for k, v in (("phone", phone), ("address", address[:500])) if v}
    return replace(applicant, **changes) if changes else applicant


@dataclass
class _Intake:
    """One application on its way in: what was asked, then what the checks made of it."""

    act: str  # submit (online) or register (at the desk)
    version: object
    organisation: object
    channel_kind: str
    applicant: ApplicantData
    citizen: object = None
    form_data: dict | None = None
    uploads: list = field(default_factory=list)
    reuse: list = field(default_factory=list)
    receive: bool = False
    decision: object = None
    cleaned: dict | None = None
    channel: object = None
    checked: list | None = None

    def check(self, shared: dict) -> None:
        """Every check that needs no write (ValidationError on the first failure). ``shared``:
        what the items of one batch read once (each version's channels and documents)."""
        _check_applicant(self.applicant)
        key = self.version.pk
        if key not in shared:
            documents = list(self.version.required_documents.only("pk", "name", "version_id"))
            shared[key] = (
                list(self.version.channels.all()),
                {d.pk for d in documents},
                form_schema.effective(self.version, documents),
            )
        channels, documents, (schema, again) = shared[key]
        form_data = form_schema.without_documents(self.form_data or {}, again)
        units = shared.setdefault("units", {})
        self.cleaned = clean_submission(schema, form_data, units) if schema else dict(form_data)
        self.applicant = _with_form_contact(self.applicant, schema, self.cleaned, units)
        self.channel = _channel(self.version, self.channel_kind, channels)
        self.checked = checked_uploads(self.version, self.uploads, documents)
        form_schema.check_documents_given(again, self.uploads, self.reuse)


def _create(*, actor, **kwargs) -> Dossier:
    return _create_many([_Intake(**kwargs)], actor=actor)[0]


def _create_many(items: list[_Intake], *, actor) -> list[Dossier]:
    """The dossiers of ``items`` in one transaction, or none of them: every item is checked
    first (a batch's errors are named ``applications.<n>.<field>``); codes are drawn as one
    block per agency; dossiers, components, progress records and audit rows are written with one
    statement each."""
    errors, shared = {}, {}
    for index, item in enumerate(items):
        try:
            item.check(shared)
        except ValidationError as exc:
            if len(items) == 1:
                raise
            for name, messages in _error_fields(exc):
                errors[f"applications.{index}{'.' + name if name else ''}"] = messages
    if errors:
        raise ValidationError(errors)
    stored = StoredFiles()
    try:
        with transaction.atomic():
            now = timezone.now()
            codes = numbering.next_codes([item.organisation for item in items], now)
            dossiers = [
                Dossier(
                    code=code,
                    procedure_version=item.version,
                    channel=item.channel,
                    origin_organisation=item.organisation,
                    organisation=item.organisation,
                    applicant_kind=item.applicant.kind,
                    applicant_citizen=item.citizen,
                    applicant_id_number=item.applicant.id_number.strip(),
                    applicant_name=item.applicant.name.strip()[:255],
                    applicant_email=item.applicant.email or "",
                    applicant_phone=item.applicant.phone or "",
                    applicant_address=item.applicant.address or "",
                    status=Status.NEW,
                    form_data=item.cleaned,
                    submitted_at=now,
                )
                for item, code in zip(items, codes, strict=True)
            ]
            if len(dossiers) == 1:
                dossiers[0].save(force_insert=True)
            else:
                Dossier.objects.bulk_create(dossiers)
            components = []
            for index, (item, dossier) in enumerate(zip(items, dossiers, strict=True)):
                try:
                    components += components_of(dossier, item.checked, item.reuse, stored=stored)
                except ValidationError as exc:
                    if len(items) == 1:
                        raise
                    raise ValidationError(
                        {f"applications.{index}.{k}": v for k, v in _error_fields(exc)}
                    ) from exc
            DossierComponent.objects.bulk_create(components)
            _common.record_many(
                [
                    {
                        "dossier": d,
                        "act": item.act,
                        "from_status": None,
                        "decision": item.decision,
                        "at": now,
                    }
                    for item, d in zip(items, dossiers, strict=True)
                ],
                actor=actor,
            )
            received = [(item, d) for item, d in zip(items, dossiers, strict=True) if item.receive]
            if received:
                _receive_at_once(received, now, actor=actor)
    except BaseException:
        stored.discard()
        raise
    return dossiers


def _error_fields(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return [(name, [str(m) for m in errors]) for name, errors in exc.message_dict.items()]
    return [("", exc.messages)]


def _receive_at_once(received, now, *, actor) -> None:
    """Dossiers registered at the desk are received in their intake's transaction (1 → 2), as
    the act ``receive`` would (due time, 80%, the first step)."""
    change = _receive_spec()["change"]
    for _item, dossier in received:
        dossier.status = Status.RECEIVED
        change(dossier, now)
    _common.save_many([d for _item, d in received], now)
    _common.record_many(
        [
            {"dossier": d, "act": "receive", "from_status": Status.NEW, "decision": item.decision}
            for item, d in received
        ],
        actor=actor,
    )


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
        decision = policy.decide(actor, scopes.APPLY, organisation)
        if not decision.allowed:
            raise PermissionDenied(_("Only a citizen or an authorised system may apply."))
    elif citizen is not None and user is not None and citizen.user_id != user.pk:
        raise PermissionDenied(_("You may apply only for yourself."))
    if applicant is None:
        if citizen is None:
            raise ValidationError({"applicant": [_("Say who the applicant is.")]})
        applicant = _applicant_of(citizen)
    elif citizen is not None:
        _check_acting_for(actor, citizen, applicant, procedure_version)
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
        decision = policy.check(actor, scopes.RECEIVE, organisation)
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


@dataclass
class Application:
    """One application of a batch from an integrated system (a portal, another agency's
    system): the fields of ``submit_online`` or, with channel ``in_person``, of
    ``register_in_person`` (received at once)."""

    procedure_version: object
    organisation: object
    applicant: ApplicantData
    form_data: dict = field(default_factory=dict)
    channel: str = ChannelKind.ONLINE
    uploads: list = field(default_factory=list)
    reuse: list = field(default_factory=list)


def submit_many(*, actor, applications: list[Application]) -> list[Dossier]:
    """A batch of applications, all or nothing: the same checks as one at a time (an online
    application needs ``dossiers.apply`` at its agency, an in-person one ``dossiers.receive``),
    then one transaction for all (codes drawn as one block per agency). For systems, not
    citizens: each application names its applicant."""
    items, decisions = [], {}
    for index, application in enumerate(applications):
        organisation = application.organisation
        in_person = application.channel == ChannelKind.IN_PERSON
        scope = scopes.RECEIVE if in_person else scopes.APPLY
        if (scope, organisation.pk) not in decisions:
            decisions[scope, organisation.pk] = policy.decide(actor, scope, organisation)
        decision = decisions[scope, organisation.pk]
        if not decision.allowed:
            raise PermissionDenied(
                _("You may not do this at %(agency)s (applications.%(n)d).")
                % {"n": index, "agency": organisation.code}
            )
        if application.applicant is None:
            raise ValidationError(
                {f"applications.{index}.applicant": [_("Say who the applicant is.")]}
            )
        items.append(
            _Intake(
                act="register" if in_person else "submit",
                version=application.procedure_version,
                organisation=organisation,
                channel_kind=ChannelKind.IN_PERSON if in_person else ChannelKind.ONLINE,
                applicant=application.applicant,
                form_data=application.form_data,
                uploads=list(application.uploads),
                reuse=list(application.reuse),
                receive=in_person,
                decision=decision,
            )
        )
    if not items:
        return []
    return _create_many(items, actor=actor)
