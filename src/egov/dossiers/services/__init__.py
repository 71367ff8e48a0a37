"""The dossier services: every state change of a dossier is one function here, in one transaction,
writing the audit log (``dossiers.<act>``) and a ProgressRecord (who, title, unit, when, what, the
step's due time) and queueing the applicant's e-mail in the outbox.

``actor`` is whoever acts: a user (official or citizen), an API client principal, or None for the
system itself (tasks, commands; no policy check). Officials need the scope of the act at the
dossier's agency (egov.accounts.policy); acts refused raise PermissionDenied, acts the status does
not allow raise IllegalTransition, bad data raises ValidationError; nothing is written then.

Forms 01–05 are made by ``egov.dossiers.printed.pdf.render_form(kind, dossier, **ctx) -> bytes``
(colleague 5b); services do not call it inside their transaction.
"""

from egov.dossiers.errors import BatchRefused, DossierError, IllegalTransition, UploadRejected

from .deadlines import is_at_risk, issue_apology, timeliness, timeliness_counts
from .files import Reuse, Upload
from .intake import (
    ApplicantData,
    Application,
    register_in_person,
    submit_many,
    submit_online,
)
from .lifecycle import (
    act_on_many,
    approve,
    assign,
    mark_processed,
    receive,
    record_fees_paid,
    refuse,
    request_supplement,
    require_fees,
    return_result,
    start_processing,
    stop,
    supplement,
    withdraw,
)
from .results import attach_result
from .signed_results import sign_result
from .workflow import forward, return_to_step, transfer, transfer_targets

__all__ = [
    "ApplicantData",
    "Application",
    "BatchRefused",
    "DossierError",
    "IllegalTransition",
    "Reuse",
    "Upload",
    "UploadRejected",
    "act_on_many",
    "approve",
    "assign",
    "attach_result",
    "forward",
    "is_at_risk",
    "issue_apology",
    "mark_processed",
    "receive",
    "record_fees_paid",
    "refuse",
    "register_in_person",
    "request_supplement",
    "require_fees",
    "return_result",
    "return_to_step",
    "sign_result",
    "start_processing",
    "stop",
    "submit_many",
    "submit_online",
    "supplement",
    "timeliness",
    "timeliness_counts",
    "transfer",
    "transfer_targets",
    "withdraw",
]
