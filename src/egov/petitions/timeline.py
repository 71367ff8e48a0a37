"""A petition's timeline: each hand-off with its organisations, its note and the deadline then
running (what the petition pages show)."""

from __future__ import annotations

from egov.petitions.acts import done_label
from egov.petitions.models import HandOff, Status


def timeline(petition) -> list[dict]:
    rows = HandOff.objects.filter(petition=petition).select_related(
        "from_organisation", "to_organisation"
    )
    return [
        {
            "at": h.at,
            "act": done_label(h.act),
            "act_code": h.act,
            "status_code": h.status,
            "to_code": h.to_organisation.code,
            "status": Status(h.status).label,
            "from": h.from_organisation.name,
            "to": h.to_organisation.name,
            "note": h.note,
            "due": h.due_at,
        }
        for h in rows.order_by("at", "pk")
    ]
