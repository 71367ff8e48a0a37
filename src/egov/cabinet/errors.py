from django.core.exceptions import ValidationError


class IllegalTransition(ValidationError):
    """The ballot's status does not allow the act (a vote after the result, ...)."""
