"""Errors the assignment services raise (ValidationError: pages and the API answer them as 4xx)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class AssignmentError(ValidationError):
    """A request the task's state or data does not allow; nothing was written."""


class IllegalTransition(AssignmentError):
    """The act is not allowed from the task's current stage (code ``illegal_transition``)."""
