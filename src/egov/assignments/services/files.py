"""Files uploaded with a task's reports: checked by what they are (content, name, declared type,
size) with the dossiers' rule (egov.dossiers.services.files.check, the platform's one rule for
uploads: PDF, JPEG, PNG), all before anything is written; stored during the report's transaction
and deleted again if it rolls back (``StoredFiles``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.assignments.errors import AssignmentError
from egov.assignments.models import Report, ReportFile
from egov.dossiers.services.files import CheckedFile, StoredFiles, Upload, check

# A report is a few pages and a scan or two: more is a mistake, not a report.
MAX_FILES = 10


def checked(uploads: Iterable[Upload]) -> list[CheckedFile]:
    """Every upload checked; the first refused one raises AssignmentError (field ``files``)."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise AssignmentError(
            {"files": [_("Attach at most %(n)s files to a report.") % {"n": MAX_FILES}]},
            code="upload",
        )
    result = []
    for upload in uploads:
        try:
            result.append(check(upload.content, upload.filename, upload.declared_type))
        except ValidationError as exc:
            raise AssignmentError({"files": exc.messages}, code="upload") from exc
    return result


def attach(report: Report, files: list[CheckedFile], stored: StoredFiles) -> list[ReportFile]:
    rows = []
    for f in files:
        row = ReportFile(
            report=report,
            name=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
        )
        row.file.name = stored.save(f"assignments/{report.assignment_id}/{f.filename}", f.data)
        rows.append(row)
    ReportFile.objects.bulk_create(rows)
    return rows


__all__ = ["MAX_FILES", "StoredFiles", "Upload", "attach", "checked"]
