"""Status transitions with the national codes. Each function: one transaction, audit, progress."""

from __future__ import annotations

from egov.dossiers.models import Assignment, Dossier, Status, SupplementRequest

S = Status
# Allowed moves: act -> (from statuses, to status). Anything else raises IllegalTransition.
TRANSITIONS: dict[str, tuple[frozenset[int], int]] = {
    "receive": (frozenset({S.NEW}), S.RECEIVED),
    "refuse": (frozenset({S.NEW}), S.NOT_RECEIVED),
    "request_supplement": (frozenset({S.NEW, S.RECEIVED, S.PROCESSING}), S.SUPPLEMENT_REQUESTED),
    "supplement": (frozenset({S.SUPPLEMENT_REQUESTED}), 0),  # back to where it was
    "start_processing": (frozenset({S.RECEIVED}), S.PROCESSING),
    "forward": (frozenset({S.PROCESSING}), S.PROCESSING),
    "return_to_step": (frozenset({S.PROCESSING}), S.PROCESSING),
    "transfer": (frozenset({S.RECEIVED, S.PROCESSING}), S.PROCESSING),
    "require_fees": (frozenset({S.PROCESSING}), S.FEES_DUE),
    "record_fees_paid": (frozenset({S.FEES_DUE}), S.PROCESSING),
    "approve": (frozenset({S.PROCESSING}), S.PROCESSED),
    "mark_processed": (frozenset({S.PROCESSING}), S.PROCESSED),
    "return_result": (frozenset({S.PROCESSED}), S.RESULT_RETURNED),
    "withdraw": (
        frozenset({S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEES_DUE}),
        S.WITHDRAWN,
    ),
    "stop": (
        frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEES_DUE}),
        S.STOPPED,
    ),
}


def receive(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """1 → 2. Fixes ``due_at`` from the channel's time limit (egov.core.calendar.due at the
    agency), ``at_risk_at`` (80%) and the first step's due time. Scope ``dossiers.receive``."""
    raise NotImplementedError


def refuse(dossier: Dossier, *, actor, reason: str) -> Dossier:
    """1 → 3 not received, with a reason (form 03). Scope ``dossiers.receive``."""
    raise NotImplementedError


def request_supplement(
    dossier: Dossier, *, actor, items: list[dict], reason: str = ""
) -> SupplementRequest:
    """1/2/4 → 5, once per dossier, listing everything missing (``items``: [{"name", "note",
    "required_document"}], at least one). The clock stops (``paused_at``). A second request
    raises DossierError. Scope ``dossiers.receive`` (1, 2) or ``dossiers.process`` (4)."""
    raise NotImplementedError


def supplement(
    dossier: Dossier, *, actor, uploads=(), form_data: dict | None = None, note: str = ""
) -> Dossier:
    """5 → the status before the request. The paused working time is added to ``due_at``,
    ``at_risk_at`` and the step's due time. The applicant (owner) or the desk."""
    raise NotImplementedError


def start_processing(dossier: Dossier, *, actor, assignee=None) -> Dossier:
    """2 → 4 at the first processing step (after the desk step); optional assignment.
    Scope ``dossiers.receive`` or ``dossiers.process``."""
    raise NotImplementedError


def assign(dossier: Dossier, *, actor, official) -> Assignment:
    """Give the dossier (at its current step) to ``official``; ends the previous assignment.
    Status unchanged. Scope ``dossiers.process``."""
    raise NotImplementedError


def require_fees(dossier: Dossier, *, actor, amount_vnd: int, note: str = "") -> Dossier:
    """4 → 6 fees or obligations due. Scope ``dossiers.process``."""
    raise NotImplementedError


def record_fees_paid(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """6 → 4. Scope ``dossiers.process`` (or a payment task: actor None)."""
    raise NotImplementedError


def approve(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """4 → 9 processed by the leader (approval step). Scope ``dossiers.approve``. Sets
    ``processed_at`` and the timeliness (early / on time / late)."""
    raise NotImplementedError


def mark_processed(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """4 → 9 without an approval step. Scope ``dossiers.process``."""
    raise NotImplementedError


def return_result(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """9 → 10 result returned to the applicant (result desk). Scope ``dossiers.return``."""
    raise NotImplementedError


def withdraw(dossier: Dossier, *, actor, reason: str) -> Dossier:
    """Open → 7 withdrawn by the applicant (owner) or by the desk (``dossiers.receive``)."""
    raise NotImplementedError


def stop(dossier: Dossier, *, actor, reason: str) -> Dossier:
    """Open → 8 stopped (e.g. supplement never came). Scope ``dossiers.approve``."""
    raise NotImplementedError
