# One module per aggregate; import each here so Django finds the models.
from .dossiers import DailySequence, Dossier, DossierComponent, FormDocument
from .notifications import NotificationTemplate
from .records import Apology, CitizenDataStoreEntry, Result, SupplementRequest, related
from .status import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    ApplicantKind,
    FormKind,
    Status,
    Timeliness,
)
from .workflow import DossierAssignment, ProgressRecord, Transfer, WorkflowStep, steps_for

__all__ = [
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "ApplicantKind",
    "Apology",
    "DossierAssignment",
    "CitizenDataStoreEntry",
    "DailySequence",
    "Dossier",
    "DossierComponent",
    "FormDocument",
    "FormKind",
    "NotificationTemplate",
    "ProgressRecord",
    "Result",
    "Status",
    "SupplementRequest",
    "Timeliness",
    "Transfer",
    "WorkflowStep",
    "related",
    "steps_for",
]
