"""Signals core sends for the apps above it (which it must not import).

``audit_recorded``: sent by the audit chain inside the change's transaction, once its rows are
inserted, with ``entries`` (the new :class:`~egov.core.models.AuditEntry` rows). A receiver
must not write to the audit log; one that acts after the commit registers
``transaction.on_commit`` (a rolled-back change then leaves nothing behind).
"""

from django.dispatch import Signal

audit_recorded = Signal()
