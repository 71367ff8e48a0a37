"""A draft's text from a Word file (.docx, read with python-docx): each paragraph becomes one
line for egov.consultation.structure.parse, so a .docx laid out as a legal document ("Chương I",
"Điều 1.", "1.", "a)" paragraphs) gives the same units as the same text typed.

The file is checked by its content before python-docx opens it: a ZIP whose content types name
the WordprocessingML main document, within a size cap, its parts not inflating past a cap (a
ZIP bomb would otherwise be expanded in memory). A file that is not one is refused with a
sentence; nothing is written then (the services are called only with the text)."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

from egov.consultation.errors import ConsultationError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MAX_BYTES = 10 * 1024 * 1024
MAX_INFLATED = 100 * 1024 * 1024


def _refuse(message: str, code: str = "not_docx") -> ConsultationError:
    return ConsultationError({"docx": [message]}, code=code)


def check(data: bytes) -> None:
    """Refuse (ConsultationError on ``docx``) what is not a Word document by its content."""
    if not data:
        raise _refuse(_("The .docx file is empty."), "required")
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("The .docx file is larger than %(n)d MB.") % {"n": MAX_BYTES // (1024 * 1024)},
            "too_big",
        )
    not_docx = _("The file is not a Word document (.docx).")
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(not_docx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > MAX_INFLATED:
                raise _refuse(not_docx, "too_big")
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise _refuse(not_docx)
            if MAIN.encode() not in archive.read("[Content_Types].xml"):
                raise _refuse(not_docx)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise _refuse(not_docx) from exc


def text_of(data: bytes) -> str:
    """The document's paragraphs, one per line (tables and headers are not the draft's text)."""
    check(data)
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds on a damaged package
        raise _refuse(_("The Word document cannot be read: it is damaged.")) from exc
    return "\n".join(p.text for p in document.paragraphs)
