"""Every change of a task's state (docs/architecture.md, "State changes")."""

from egov.assignments.services.creation import (
    SourceDocument,
    create_assignment,
    from_exchange,
    government_office,
)
from egov.assignments.services.handling import (
    ACT_FUNCTIONS,
    DocumentRef,
    accept,
    approve_extension,
    refuse_extension,
    report_completion,
    report_progress,
    request_extension,
    send_back,
    withdraw,
)

__all__ = [
    "ACT_FUNCTIONS",
    "DocumentRef",
    "SourceDocument",
    "accept",
    "approve_extension",
    "create_assignment",
    "from_exchange",
    "government_office",
    "refuse_extension",
    "report_completion",
    "report_progress",
    "request_extension",
    "send_back",
    "withdraw",
]
