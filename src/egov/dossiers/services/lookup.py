"""The public lookup: code + the applicant's ID number → status and dated history, nothing else."""

from __future__ import annotations

import hmac

from egov.dossiers.models import Dossier, Status


def lookup(code: str, id_number: str) -> dict | None:
    """The dossier's status and its dated status history; None for a wrong code or ID number
    (the same answer either way, compared in constant time). One query: the dossier joined to
    its progress records (one row per record; one row with no record)."""
    rows = list(
        Dossier.objects.filter(code=(code or "").strip())
        .order_by("progress__at", "progress__id")
        .values_list(
            "code",
            "status",
            "due_at",
            "applicant_id_number",
            "progress__at",
            "progress__to_status",
            "progress__from_status",
        )
    )
    given = (id_number or "").strip().encode()
    expected = (rows[0][3] if rows else "").encode()
    if not rows or not hmac.compare_digest(given, expected):
        return None
    code, status, due_at = rows[0][:3]
    history = [
        {"at": at, "status": to_status, "status_label": str(Status(to_status).label)}
        for *_dossier, at, to_status, from_status in rows
        if at is not None and to_status != from_status
    ]
    return {
        "code": code,
        "status": status,
        "status_label": str(Status(status).label),
        "due_at": due_at,
        "history": history,
    }
