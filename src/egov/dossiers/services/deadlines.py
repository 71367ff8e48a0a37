"""Deadlines: at risk, apology (form 04) and timeliness."""

from __future__ import annotations

from egov.dossiers.models import Apology, Dossier


def is_at_risk(dossier: Dossier, now=None) -> bool:
    """Open, clock running, and 80% or more of its working time used (``now >= at_risk_at``)."""
    raise NotImplementedError


def issue_apology(dossier: Dossier, *, actor, reason: str, new_due_at) -> Apology:
    """Form 04's data: once, while open and before ``due_at`` passes; ``new_due_at`` later than
    ``due_at``; moves ``due_at``. Scope ``dossiers.process``. The PDF is documents.render_form."""
    raise NotImplementedError


def timeliness(dossier: Dossier, now=None) -> str:
    """early / on_time / late when finished; within_time / overdue while open."""
    raise NotImplementedError


def timeliness_counts(queryset, *, start=None, end=None, now=None) -> list[dict]:
    """Per organisation: received in [start, end) counted by timeliness. Rows of
    {"organisation", "code", "early", "on_time", "late", "within_time", "overdue", "total"}."""
    raise NotImplementedError
