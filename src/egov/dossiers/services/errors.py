"""Errors the dossier services raise (all ValidationError: the API answers them as JSON)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DossierError(ValidationError):
    """A request the dossier's state or data does not allow; nothing was written."""


class IllegalTransition(DossierError):
    """The act is not allowed from the dossier's current status (code ``illegal_transition``)."""


class UploadRejected(DossierError):
    """A file whose content, size or declared type is not acceptable (code ``upload``)."""
