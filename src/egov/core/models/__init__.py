from .audit import AuditEntry
from .calendar import CalendarOverride
from .organisations import Organisation
from .outbox import OutboxMessage

__all__ = ["AuditEntry", "CalendarOverride", "Organisation", "OutboxMessage"]
