from .audit import AuditEntry
from .calendar import CalendarOverride
from .chain import ChainAnchor, ChainedRow
from .organisations import Organisation

__all__ = ["AuditEntry", "CalendarOverride", "ChainAnchor", "ChainedRow", "Organisation"]
