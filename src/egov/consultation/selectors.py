"""Reads the public pages and the API share: open consultations, and a draft's text with its
published comments placed in the margin of the unit they are on."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.utils.translation import ngettext

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


# Comments shown per unit (and on the whole draft) in the page's margin; the rest behind a link
# (``?on=<anchor>``): a draft of 300 articles with 20,000 comments rendered every one of them
# (9.7 MB, 20 s in process; bench/README.md, "consultation").
MARGIN = 3
WHOLE_DRAFT = "-"  # ``?on=-``: every comment on the whole draft


def draft_page(code: str, on: str = "") -> dict | None:
    """The consultation, the latest version's units each with its first ``MARGIN`` comments
    (``unit.margin``; ``unit.total`` of them in all; every one for the unit ``on``), those on
    the whole draft, and those whose clause is gone from it (``earlier``): a fixed number of
    queries, however many comments."""
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
    published = Comment.objects.filter(
        consultation=consultation, moderation=Moderation.VISIBLE, leader__isnull=True
    )
    totals = dict(published.values_list("anchor").annotate(n=Count("pk")).order_by())
    first = published.annotate(
        rank=Window(RowNumber(), partition_by=[F("anchor")], order_by=[F("received_at"), F("pk")])
    ).filter(rank__lte=MARGIN)
    rows = (
        first.select_related("version", "answer__changed_unit__version")
        .order_by("received_at", "pk")
        .defer(*_UNSHOWN)
    )
    comments = list(rows)
    expand = "" if on == WHOLE_DRAFT else on
    if on and totals.get(expand, 0) > MARGIN:
        shown = {c.pk for c in comments}
        comments += [
            c
            for c in published.filter(anchor=expand)
            .select_related("version", "answer__changed_unit__version")
            .order_by("received_at", "pk")
            .defer(*_UNSHOWN)
            if c.pk not in shown
        ]
    more = {}  # one translation per count: a plural lookup costs ~0.5 ms, 1,800 units had one
    for unit in units:
        unit.total = n = totals.get(unit.anchor, 0)
        if n > MARGIN and unit.anchor != on:
            if n not in more:
                more[n] = ngettext("See all %(n)s comment", "See all %(n)s comments", n) % {"n": n}
            unit.more = more[n]
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
        "general_total": totals.get("", 0),
        "earlier": earlier,
        "earlier_totals": {a: n for a, n in totals.items() if a and a not in by_anchor},
        "margin": MARGIN,
        "on": on,
        "days_left": days_left(consultation),
        "received": Comment.objects.filter(consultation=consultation).count(),
        "published": sum(totals.values()),
    }


# Columns the page does not show: not read for each of the thousands of comments.
_UNSHOWN = ("text_key", "version__note")

__all__ = ["Unit", "draft_page", "open_consultations"]
