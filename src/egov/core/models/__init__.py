from .audit import AuditEntry
from .calendar import CalendarOverride
from .organisations import Organisation

__all__ = ["AuditEntry", "CalendarOverride", "Organisation"]
