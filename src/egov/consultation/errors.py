"""Errors the consultation's services raise (ValidationError: pages and the API answer 4xx)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConsultationError(ValidationError):
    """A request the consultation's state or data does not allow; nothing was written.

    ``code`` is kept for errors about fields too (Django's keeps it only for a single message),
    so that callers and tests can tell the refusals apart without reading the Vietnamese."""

    def __init__(self, message, code=None, params=None):
        if isinstance(message, dict) and code:
            message = {
                field: [
                    ValidationError(m, code=code) if isinstance(m, str) else m
                    for m in (errors if isinstance(errors, list) else [errors])
                ]
                for field, errors in message.items()
            }
        super().__init__(message, code, params)
        self.code = code


class IllegalTransition(ConsultationError):
    """The act is not allowed from the consultation's current phase (``illegal_transition``)."""
