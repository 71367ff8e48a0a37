"""Errors the consultation's services raise (ValidationError: pages and the API answer 4xx)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConsultationError(ValidationError):
    """A request the consultation's state or data does not allow; nothing was written."""


class IllegalTransition(ConsultationError):
    """The act is not allowed from the consultation's current phase (``illegal_transition``)."""
