"""Reads the public pages and the API share: open consultations, and a draft's text with its
published comments placed in the margin of the unit they are on."""

from __future__ import annotations

from django.db.models import Prefetch

from egov.consultation import structure
from egov.consultation.models import Comment, Consultation, Moderation, Phase, PhaseWindow, Unit
from egov.consultation.services.consultations import days_left


def open_consultations() -> list[Consultation]:
    """Consultations taking comments, the one closing first first, each with ``days_left``."""
    rows = list(
        Consultation.objects.filter(phase=Phase.COMMENTS)
        .select_related("draft", "organisation")
        .prefetch_related(Prefetch("windows", PhaseWindow.objects.order_by("starts_at")))
    )
    for row in rows:
        row.days_left = days_left(row)
    rows = [r for r in rows if r.days_left is not None or r.allow_late]
    return sorted(rows, key=lambda r: (r.days_left is None, r.days_left or 0, r.code))


def draft_page(code: str) -> dict | None:
    """The consultation, the latest version's units each with its comments (``unit.margin``),
    and the comments whose clause is gone from it (``earlier``): six queries, however long."""
    consultation = (
        Consultation.objects.filter(code=code)
        .select_related("draft", "organisation")
        .prefetch_related("windows")
        .first()
    )
    if consultation is None:
        return None
    version = consultation.draft.versions.order_by("-number").first()
    units = list(version.units.all())
    by_anchor = {u.anchor: u for u in units}
    for unit in units:
        unit.margin = []
        # "Điểm a khoản 2 Điều 3": the unit and those above it, from its anchor's parts.
        parts = unit.anchor.split(".")
        labels = [by_anchor[".".join(parts[:n])].label for n in range(len(parts), 0, -1)]
        unit.path_label = " ".join(
            [
                labels[0],
                *(label.lower() if label.startswith("K") else label for label in labels[1:]),
            ]
        )
    comments = list(
        Comment.objects.filter(
            consultation=consultation, moderation=Moderation.VISIBLE, leader__isnull=True
        )
        .select_related("version", "answer__changed_unit__version")
        .prefetch_related("attachments")
        .order_by("received_at", "pk")
    )
    general, earlier = [], []
    for comment in comments:
        unit = by_anchor.get(comment.anchor) if comment.anchor else None
        if not comment.anchor:
            general.append(comment)
        elif unit is None:
            earlier.append(comment)
        else:
            # A range on an earlier version holds where the clause's text is unchanged.
            comment.place = (
                structure.locate(comment, unit) if comment.range_start is not None else None
            )
            comment.outdated = comment.range_start is not None and comment.place is None
            unit.margin.append(comment)
    return {
        "consultation": consultation,
        "version": version,
        "units": units,
        "general": general,
        "earlier": earlier,
        "days_left": days_left(consultation),
        "received": Comment.objects.filter(consultation=consultation).count(),
        "published": len(comments),
    }


__all__ = ["Unit", "draft_page", "open_consultations"]
