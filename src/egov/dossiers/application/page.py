"""Pieces the application pages share (the citizen's online application in the portal and the desk's
in-person registration in the officials' workspace): which agency receives, the documents to bring
(upload or pick from the data store), the fees and the expected due date. Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.catalog.models import Channel, RequiredDocument
from egov.core.calendar import WorkingCalendar
from egov.core.models import Organisation
from egov.core.models.organisations import Level
from egov.dossiers.models import CitizenDataStoreEntry
from egov.dossiers.services import Reuse, Upload, form_schema

# The level that receives a procedure done at several levels: the one nearest the citizen.
LEVEL_ORDER = [Level.COMMUNE, Level.PROVINCE, Level.CENTRAL]


def channel_of(version, kind: str) -> Channel | None:
    return (
        Channel.objects.filter(version=version, kind=kind)
        .prefetch_related("fees")
        .order_by("time_limit", "id")
        .first()
    )


def receiving_level(version) -> str:
    levels = set(version.levels or [])
    for level in LEVEL_ORDER:
        if level in levels:
            return level
    return Level.PROVINCE


def _current():
    return Organisation.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.now()))


@dataclass
class AgencyPicker:
    """Choose the receiving agency without JavaScript: a province, then (for commune-level
    procedures) one of its communes after "show communes"."""

    level: str
    province: str = ""
    agency: str = ""
    provinces: list = field(default_factory=list)
    communes: list = field(default_factory=list)
    centrals: list = field(default_factory=list)
    error: str = ""

    @classmethod
    def from_request(cls, version, data) -> AgencyPicker:
        picker = cls(level=receiving_level(version))
        picker.province = (data.get("agency_province") or "").strip()
        picker.agency = (data.get("agency") or "").strip()
        current = _current()
        if picker.level == Level.CENTRAL:
            picker.centrals = list(
                current.filter(level=Level.CENTRAL).order_by("name").values_list("code", "name")
            )
            return picker
        picker.provinces = list(
            current.filter(level=Level.PROVINCE).order_by("name").values_list("code", "name")
        )
        if picker.level == Level.COMMUNE and picker.province:
            province = current.filter(code=picker.province, level=Level.PROVINCE).first()
            if province is not None:
                picker.communes = list(
                    current.filter(level=Level.COMMUNE, path__startswith=province.path)
                    .order_by("name")
                    .values_list("code", "name")
                )
        return picker

    @property
    def field_name(self) -> str:
        return "agency_province" if self.level == Level.PROVINCE else "agency"

    def organisation(self) -> Organisation | None:
        """The chosen agency, or None with ``error`` set."""
        code = self.province if self.level == Level.PROVINCE else self.agency
        allowed = {
            Level.PROVINCE: self.provinces,
            Level.COMMUNE: self.communes,
            Level.CENTRAL: self.centrals,
        }[self.level]
        if not code or code not in {c for c, _n in allowed}:
            self.error = _("Choose the agency that receives your dossier.")
            return None
        return _current().filter(code=code, level=self.level).first()


@dataclass
class DocumentSlot:
    """One required document: upload a file, or pick a matching entry of the data store."""

    document: RequiredDocument
    entries: list = field(default_factory=list)
    chosen_entry: str = ""
    filename: str = ""
    error: str = ""
    required: bool = False  # the form asked for it in a required field (form_schema)

    @property
    def field(self) -> str:
        return f"doc-{self.document.pk}"

    @property
    def store_field(self) -> str:
        return f"store-{self.document.pk}"


def application_schema(version) -> tuple[dict, set[int]]:
    """The form the pages show (without the fields the document list asks for) and the
    documents that are required because of it."""
    schema, again = form_schema.effective(version)
    return schema, {doc.pk for doc, required in again.values() if required}


def document_slots(
    version, citizen=None, data=None, tax_code: str = "", required=()
) -> list[DocumentSlot]:
    """The documents to bring, each with the entries of the applicant's store to pick from: the
    citizen's own, or with ``tax_code`` (a business she represents, checked by the caller) the
    business's. A business's result is never offered as the citizen's own."""
    documents = list(RequiredDocument.objects.filter(version=version).order_by("order", "id"))
    entries = []
    if citizen is not None:
        store = (
            CitizenDataStoreEntry.objects.filter(tax_code=tax_code)
            if tax_code
            else CitizenDataStoreEntry.objects.filter(citizen=citizen, tax_code="")
        )
        entries = list(store.order_by("-issued_at"))
    slots = []
    for document in documents:
        slot = DocumentSlot(document=document, entries=entries, required=document.pk in required)
        if data is not None:
            slot.chosen_entry = (data.get(slot.store_field) or "").strip()
        slots.append(slot)
    return slots


def read_documents(slots, files, citizen=None) -> tuple[list[Upload], list[Reuse], bool]:
    """Uploads and data-store picks from the POST; False when a pick is not the citizen's."""
    uploads, reuse, ok = [], [], True
    own = {str(e.pk) for slot in slots[:1] for e in slot.entries}
    for slot in slots:
        upload = files.get(slot.field)
        if upload:
            slot.filename = upload.name
            uploads.append(
                Upload.from_file(
                    upload,
                    required_document_id=slot.document.pk,
                    name=slot.document.name[:255],
                )
            )
        elif slot.chosen_entry:
            if citizen is None or slot.chosen_entry not in own:
                slot.error = _("Choose a document from your data store.")
                ok = False
                continue
            reuse.append(
                Reuse(entry_id=int(slot.chosen_entry), required_document_id=slot.document.pk)
            )
        elif slot.required:
            slot.error = _("Attach this document.")
            ok = False
    return uploads, reuse, ok


def schema_uploads(form, files) -> list[Upload]:
    """Files asked for inside the application form itself (x-egov-type file): stored as
    components, so that the form's ``upload:<sha-256>`` reference names a file of the dossier."""
    uploads = []
    for f in form.all_fields():
        upload = files.get(f.path) if f.kind == "file" else None
        if upload:
            uploads.append(Upload.from_file(upload, name=str(f.label)[:255]))
    return uploads


@dataclass
class Expectation:
    fees: list
    time_text: str
    due_at: object


def expectation(channel: Channel | None, organisation: Organisation | None) -> Expectation:
    """Fees of the channel and the due date if the dossier were received now."""
    if channel is None:
        return Expectation([], "", None)
    due = None
    if channel.time_limit is not None and channel.time_unit and organisation is not None:
        cal = WorkingCalendar.for_organisation(organisation)
        due = cal.due(timezone.now(), channel.time_limit, channel.time_unit)
    return Expectation(list(channel.fees.all()), channel.time_text, due)
