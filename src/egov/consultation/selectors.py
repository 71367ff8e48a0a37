"""Reads the public pages and the API share: open consultations, and a draft's text with its
published comments placed in the margin of the unit they are on, a chapter at a time for a long
draft."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from egov.consultation import structure
from egov.consultation.models import (
    Comment,
    Consultation,
    Moderation,
    Phase,
    PhaseWindow,
    Unit,
    UnitKind,
)
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
# A draft with chapters and more units than this is shown a chapter at a time (with a table of
# contents): the 1,810 units of a 300-article draft on one page cost ~9 s at 20,000 comments
# even with capped margins. A shorter draft stays one page.
PAGE_UNITS = 200


def path_label(anchor: str, label_of: dict[str, str]) -> str:
    """ "Điểm a khoản 2 Điều 3": the unit and those above it, from its anchor's parts."""
    parts = anchor.split(".")
    labels = [label_of.get(".".join(parts[:n]), "") for n in range(len(parts), 0, -1)]
    rest = [label.lower() if label.startswith("K") else label for label in labels[1:]]
    return " ".join(label for label in [labels[0], *rest] if label)


@dataclass
class Chapter:
    anchor: str
    label: str
    heading: str
    start: int  # position of its first unit (the first chapter takes any unit before it)
    end: int | None  # position of the next chapter's heading
    total: int = 0  # published comments on its units
    current: bool = False


def _chapters(outline) -> tuple[list[Chapter], dict[str, Chapter]]:
    """The chapters of a version's outline (anchor, kind, label, heading, position rows in
    order), and the chapter each anchor is in."""
    heads = [row for row in outline if row[1] == UnitKind.CHAPTER]
    chapters = [
        Chapter(
            anchor,
            label,
            heading,
            start=position if i else 0,
            end=heads[i + 1][4] if i + 1 < len(heads) else None,
        )
        for i, (anchor, _, label, heading, position) in enumerate(heads)
    ]
    chapter_of, index = {}, 0
    for anchor, _kind, _label, _heading, position in outline:
        while index + 1 < len(chapters) and position >= chapters[index + 1].start:
            index += 1
        chapter_of[anchor] = chapters[index]
    return chapters, chapter_of


def _counts(consultation) -> tuple[dict[str, int], int]:
    """Published comments per anchor and all comments received, in one grouped query."""
    published = Q(moderation=Moderation.VISIBLE, leader__isnull=True)
    rows = (
        Comment.objects.filter(consultation=consultation)
        .values_list("anchor")
        .annotate(shown=Count("pk", filter=published), received=Count("pk"))
        .order_by()
    )
    totals, received = {}, 0
    for anchor, shown, got in rows:
        received += got
        if shown:
            totals[anchor] = shown
    return totals, received


def _shown(published):
    return (
        published.select_related("version", "answer__changed_unit__version")
        .order_by("received_at", "pk")
        .defer(*_UNSHOWN)
    )


def page_consultation(code: str) -> Consultation | None:
    """The consultation of a draft page, with what its header reads (agency, windows)."""
    return (
        Consultation.objects.filter(code=code)
        .select_related("draft", "organisation")
        .prefetch_related("windows")
        .first()
    )


def draft_page(code: str, on: str = "", chapter: str = "", consultation=None) -> dict | None:
    """The consultation and the latest version's units of one page (the ``chapter``, the one
    holding the unit ``on``, or the first; every unit if the draft is short), each with its
    first ``MARGIN`` comments (``unit.margin``; ``unit.total`` of them in all; every one for
    the unit ``on``), those on the whole draft, those whose clause is gone from the draft
    (``earlier``, labelled from the version they were made on), and the chapters with their
    counts: a fixed number of queries, however many comments and chapters. None: no such
    consultation, or no such chapter. ``consultation``: the one of ``code``, read already."""
    consultation = consultation or page_consultation(code)
    if consultation is None:
        return None
    version = consultation.draft.versions.order_by("-number").first()
    outline = list(
        version.units.order_by("position").values_list(
            "anchor", "kind", "label", "heading", "position"
        )
    )
    label_of = {row[0]: row[2] for row in outline}
    chapters, chapter_of = _chapters(outline)
    totals, received = _counts(consultation)
    page = None
    if chapters and len(outline) > PAGE_UNITS:
        if chapter:
            page = next((c for c in chapters if c.anchor == chapter), None)
            if page is None:
                return None
        else:
            page = chapter_of.get(on) or chapters[0]
        page.current = True
        for anchor, n in totals.items():
            if anchor in chapter_of:
                chapter_of[anchor].total += n
    units_query = version.units.all()
    if page is not None:
        units_query = units_query.filter(position__gte=page.start)
        if page.end is not None:
            units_query = units_query.filter(position__lt=page.end)
    units = list(units_query)
    by_anchor = {u.anchor: u for u in units}
    for unit in units:
        unit.margin = []
        unit.path_label = path_label(unit.anchor, label_of)
    gone = [a for a in totals if a and a not in label_of]
    published = Comment.objects.filter(
        consultation=consultation, moderation=Moderation.VISIBLE, leader__isnull=True
    )
    on_page = published
    if page is not None:
        on_page = published.filter(anchor__in=["", *by_anchor, *gone])
    first = on_page.annotate(
        rank=Window(RowNumber(), partition_by=[F("anchor")], order_by=[F("received_at"), F("pk")])
    ).filter(rank__lte=MARGIN)
    comments = list(_shown(first))
    expand = "" if on == WHOLE_DRAFT else on
    if (
        on
        and totals.get(expand, 0) > MARGIN
        and (expand in by_anchor or expand in gone or not expand)
    ):
        shown = {c.pk for c in comments}
        comments += [c for c in _shown(published.filter(anchor=expand)) if c.pk not in shown]
    more = {}  # one translation per count: a plural lookup costs ~0.5 ms, 1,800 units had one
    for unit in units:
        unit.total = n = totals.get(unit.anchor, 0)
        if n > MARGIN and unit.anchor != on:
            if n not in more:
                more[n] = ngettext("See all %(n)s comment", "See all %(n)s comments", n) % {"n": n}
            unit.more = more[n]
    general, earlier = [], []
    for comment in comments:
        # The day as d/m/Y without the date filter's localisation: hundreds of comments a page.
        comment.day = timezone.localtime(comment.received_at).strftime("%d/%m/%Y")
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
        "chapters": chapters if page is not None else [],
        "chapter": page,
        **_neighbours(chapters, page),
        "general": general,
        "general_total": totals.get("", 0),
        "earlier": earlier,
        "earlier_more": _label_earlier(earlier, totals, on),
        "margin": MARGIN,
        "phrases": _phrases(),
        "on": on,
        "days_left": days_left(consultation),
        "received": received,
        "published": sum(totals.values()),
    }


def _phrases() -> dict[str, str]:
    """The comments' fixed words, translated once a page rather than once a comment."""
    return {
        "on_words": gettext("On the words:"),
        "since_changed": gettext("On text since changed:"),
        "accepted": pgettext("consultation answer", "Accepted"),
        "explained": pgettext("consultation answer", "Explained"),
        "not_answered": gettext("Not answered yet."),
        "report": gettext("Report a breach"),
    }


def _neighbours(chapters: list[Chapter], page: Chapter | None) -> dict:
    if page is None:
        return {"previous": None, "next": None}
    i = chapters.index(page)
    return {
        "previous": chapters[i - 1] if i else None,
        "next": chapters[i + 1] if i + 1 < len(chapters) else None,
    }


def _label_earlier(earlier: list[Comment], totals: dict[str, int], on: str) -> list[dict]:
    """Names, not codes: each comment on a unit gone from the draft gets ``place_label``
    ("Khoản 2 Điều 2") from the version it was made on (one query, none without such
    comments); and the links to all comments of such units that have more than ``MARGIN``."""
    if not earlier:
        return []
    wanted = set()
    for comment in earlier:
        parts = comment.anchor.split(".")
        wanted.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    labels: dict[int, dict[str, str]] = {}
    for version_id, anchor, label in Unit.objects.filter(
        version_id__in={c.version_id for c in earlier}, anchor__in=wanted
    ).values_list("version_id", "anchor", "label"):
        labels.setdefault(version_id, {})[anchor] = label
    first_label = {}
    for comment in earlier:
        comment.place_label = path_label(comment.anchor, labels.get(comment.version_id, {}))
        first_label.setdefault(comment.anchor, comment.place_label or comment.anchor)
    return [
        {"anchor": anchor, "label": label, "total": totals[anchor]}
        for anchor, label in first_label.items()
        if totals.get(anchor, 0) > MARGIN and on != anchor
    ]


# Columns the page does not show: not read for each of the thousands of comments.
_UNSHOWN = ("text_key", "version__note")

__all__ = ["Unit", "draft_page", "open_consultations", "path_label"]
