class IllegalTransition(Exception):
    """The payment's status does not allow the act (egov.payments.acts)."""
