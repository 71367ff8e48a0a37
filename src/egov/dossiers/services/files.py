"""Uploads checked by what they are, not what they say: content (magic bytes), size, type."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from egov.dossiers.errors import UploadRejected

# content type -> (leading bytes, file name extensions)
KINDS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "EGOV_DOSSIER_MAX_FILE_BYTES", DEFAULT_MAX_BYTES))


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
