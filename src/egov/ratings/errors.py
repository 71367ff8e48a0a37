"""Errors the rating services raise (ValidationError: pages and the API answer them as 4xx)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class RatingError(ValidationError):
    """Bad input (an unknown criterion, a score out of range, a missing reason): 400."""


class RatingRefused(RatingError):
    """The dossier's state does not allow it (no result returned yet, already rated, frozen
    after the change window): 409. Its ``code`` says which."""
