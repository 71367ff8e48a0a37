"""What the apps' HTML views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_messages(exc: Exception) -> list[str]:
    """Every message of a service error, for a page's error summary."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [str(m) for messages in exc.message_dict.values() for m in messages]
        return [str(m) for m in exc.messages]
    return [str(exc)]
