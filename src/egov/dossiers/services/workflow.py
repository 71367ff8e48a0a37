"""Moving a dossier between workflow steps and agencies."""

from __future__ import annotations

from egov.dossiers.models import Dossier, Transfer


def forward(dossier: Dossier, *, actor, to_step=None, assignee=None, note: str = "") -> Dossier:
    """Status 4: move to the next step (or ``to_step``, a later one) with its due time; optional
    assignment. Scope ``dossiers.process`` (``dossiers.approve`` at an approver's step)."""
    raise NotImplementedError


def return_to_step(dossier: Dossier, *, actor, step, reason: str) -> Dossier:
    """Status 4: send back to an earlier step of the same agency, with a reason (required)."""
    raise NotImplementedError


def transfer(dossier: Dossier, *, actor, to_organisation, reason: str = "") -> Transfer:
    """Liên thông: ``organisation`` becomes ``to_organisation``, which continues at its own first
    step (steps of the version with that organisation, else the version's generic steps); the
    sending agency keeps read access through the Transfer row; history is shared."""
    raise NotImplementedError
