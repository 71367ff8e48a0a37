from .audit import AuditEntry
from .calendar import CalendarOverride
from .chain import ChainAnchor, ChainedRow
from .organisations import Organisation
from .outbox import OutboxMessage

__all__ = [
    "AuditEntry",
    "CalendarOverride",
    "ChainAnchor",
    "ChainedRow",
    "Organisation",
    "OutboxMessage",
]
