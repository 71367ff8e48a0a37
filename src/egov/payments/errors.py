class IllegalTransition(Exception):
    """The payment's status does not allow the act (egov.payments.acts)."""


def refusal_text(exc: Exception) -> str:
    """A refused request's message for its audit line (ValidationError has several; a
    PermissionDenied has its text)."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])[:500]
