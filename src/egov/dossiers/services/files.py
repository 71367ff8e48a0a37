"""The dossier's files: uploads checked by what they are, not what they say (content, size,
type), stored during a transaction and deleted again if it rolls back, and made into the
dossier's components (uploaded, or reused from the applicant's data store)."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from egov.accounts.services.representations import represents
from egov.core import inputs
from egov.dossiers.errors import UploadRejected
from egov.dossiers.models import CitizenDataStoreEntry, DossierComponent

# content type -> (leading bytes, file name extensions)
KINDS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}


def max_bytes() -> int:
    return settings.EGOV_DOSSIER_MAX_FILE_BYTES


def sniff(head: bytes) -> str | None:
    for content_type, (magic, _ext) in KINDS.items():
        if head.startswith(magic):
            return content_type
    return None


@dataclass
class CheckedFile:
    data: bytes
    filename: str
    content_type: str
    size: int
    sha256: str


def read_content(content) -> bytes:
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    if hasattr(content, "chunks"):
        limit = max_bytes()
        parts, total = [], 0
        for chunk in content.chunks():
            total += len(chunk)
            parts.append(chunk)
            if total > limit:
                break  # enough to refuse it; do not read a huge file into memory
        return b"".join(parts)
    return content.read()


def check(content, filename: str, declared_type: str) -> CheckedFile:
    """The file if its bytes, its name and its declared type agree on an accepted kind and it is
    not too large; UploadRejected (code ``upload``) saying which rule it broke otherwise."""
    data = read_content(content)
    name = PurePath(filename or "").name[:150] or "file"
    limit = max_bytes()
    if len(data) > limit:
        raise UploadRejected(
            _("The file “%(name)s” is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="upload_size",
        )
    if not data:
        raise UploadRejected(_("The file “%(name)s” is empty.") % {"name": name}, code="upload")
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in KINDS:
        raise UploadRejected(
            _("Files of type “%(type)s” are not accepted; send PDF, JPEG or PNG.")
            % {"type": declared or "?"},
            code="upload_type",
        )
    actual = sniff(data[:16])
    extension = PurePath(name).suffix.lower()
    if actual != declared or extension not in KINDS[declared][1]:
        raise UploadRejected(
            _("The file “%(name)s” is not the %(type)s file it claims to be.")
            % {"name": name, "type": declared},
            code="upload_content",
        )
    return CheckedFile(data, name, declared, len(data), hashlib.sha256(data).hexdigest())


@dataclass
class Upload:
    """One file as received: content (bytes or a Django File), the name and the declared type."""

    content: object
    filename: str
    declared_type: str
    required_document_id: int | None = None
    name: str = ""
    digitised: bool = True

    def __post_init__(self):
        # Names from JSON bodies reach here as sent (multipart ones were cleaned by the parser).
        self.filename = inputs.clean_filename(self.filename)

    @classmethod
    def from_file(cls, f, **extra) -> Upload:
        """An uploaded file (Django's ``UploadedFile``) as received: its name and the type the
        client declared (empty when it declared none); ``extra``: the other fields."""
        return cls(content=f, filename=f.name, declared_type=f.content_type or "", **extra)


@dataclass
class Reuse:
    """A component taken from the applicant's data store instead of an upload."""

    entry_id: int
    required_document_id: int | None = None


def checked_uploads(version, uploads, allowed_docs=None):
    """Every upload checked before anything is written (first failure raises)."""
    if allowed_docs is None:
        allowed_docs = set(version.required_documents.values_list("pk", flat=True))
    checked = []
    for index, upload in enumerate(uploads):
        if upload.required_document_id and upload.required_document_id not in allowed_docs:
            raise ValidationError(
                {f"components.{index}": [_("This document is not one the procedure asks for.")]}
            )
        try:
            checked.append((upload, check(upload.content, upload.filename, upload.declared_type)))
        except ValidationError as exc:
            raise ValidationError({f"components.{index}": exc.messages}) from exc
    return checked


class StoredFiles:
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


def _of_applicants_store(entry, dossier) -> bool:
    """Is ``entry`` in the store of the dossier's applicant: the citizen's own, or the store of
    the business the dossier is filed for, which the filing citizen must represent (the intake
    checked it; checked again here because a matching tax code alone once let anyone reuse, and
    then download, any company's documents). The same answer for someone else's entry and for
    no entry: ids are sequential."""
    if entry.tax_code:  # a business's result (its ``citizen`` is who filed for it)
        if dossier.applicant_kind != "business" or entry.tax_code != dossier.applicant_id_number:
            return False
        citizen = dossier.applicant_citizen
        return citizen is None or represents(citizen, entry.tax_code)
    return entry.citizen_id is not None and entry.citizen_id == dossier.applicant_citizen_id


def add_components(dossier, checked, reuse=(), *, supplement=False, stored: StoredFiles):
    components = components_of(dossier, checked, reuse, supplement=supplement, stored=stored)
    DossierComponent.objects.bulk_create(components)
    return components


def components_of(dossier, checked, reuse=(), *, supplement=False, stored: StoredFiles):
    """The dossier's new components (not yet saved), their files stored."""
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
        if entry is None or not _of_applicants_store(entry, dossier):
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
    return components
