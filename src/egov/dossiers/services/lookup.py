"""The public lookup: code + the applicant's ID number → status and dated history, nothing else."""

from __future__ import annotations

import hmac

from egov.dossiers.models import Dossier, ProgressRecord, Status


def lookup(code: str, id_number: str) -> dict | None:
    """The dossier's status and its dated status history; None for a wrong code or ID number
    (the same answer either way, compared in constant time)."""
    row = (
        Dossier.objects.filter(code=(code or "").strip())
        .values("pk", "code", "status", "due_at", "applicant_id_number")
        .first()
    )
    given = (id_number or "").strip().encode()
    expected = (row["applicant_id_number"] if row else "").encode()
    if row is None or not hmac.compare_digest(given, expected):
        return None
    history = [
        {"at": at, "status": to_status, "status_label": str(Status(to_status).label)}
        for at, to_status, from_status in ProgressRecord.objects.filter(dossier_id=row["pk"])
        .order_by("at", "id")
        .values_list("at", "to_status", "from_status")
        if to_status != from_status
    ]
    return {
        "code": row["code"],
        "status": row["status"],
        "status_label": str(Status(row["status"]).label),
        "due_at": row["due_at"],
        "history": history,
    }
