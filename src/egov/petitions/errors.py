"""Errors the petition services raise (ValidationError: pages and the API answer them as 4xx)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class PetitionError(ValidationError):
    """A request the petition's state or data does not allow; nothing was written."""


class IllegalTransition(PetitionError):
    """The act is not allowed from the petition's current status (code ``illegal_transition``)."""
