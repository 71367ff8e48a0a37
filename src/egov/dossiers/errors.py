"""Errors the dossier services raise (all ValidationError: the API answers them as JSON)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


class DossierError(ValidationError):
    """A request the dossier's state or data does not allow; nothing was written."""


class IllegalTransition(DossierError):
    """The act is not allowed from the dossier's current status (code ``illegal_transition``)."""


class UploadRejected(DossierError):
    """A file whose content, size or declared type is not acceptable (code ``upload``)."""


class BatchRefused(DossierError):
    """An act on a batch of dossiers that some of them may not make (code ``batch_refused``);
    ``refused`` maps each such dossier code to its error. Nothing was written."""

    def __init__(self, refused: dict):
        self.refused = refused
        messages = {}
        for code, exc in refused.items():
            messages[code] = list(getattr(exc, "messages", None) or [str(exc)])
        super().__init__(messages, code="batch_refused")


class NotRepresented(PermissionDenied):
    """A citizen named an applicant she does not represent (code ``not_represented``): herself
    or a business she is recorded as representing, nothing else. Nothing was written."""

    code = "not_represented"
