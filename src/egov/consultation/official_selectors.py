"""Reads of the officials' pages: the drafting agency's consultations with their counts, a
consultation's unanswered comments, the moderation queue. Every list is scoped by the policy
(only the caller's organisations) and read in a fixed number of queries, whatever its length."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, Value, When

from egov.accounts import policy
from egov.consultation import acts, scopes
from egov.consultation.models import (
    Comment,
    Consultation,
    Draft,
    Moderation,
    ReportReason,
    Unit,
    UnitKind,
)
from egov.consultation.services.consultations import days_left

_PUBLISHED = Q(comments__moderation=Moderation.VISIBLE, comments__leader__isnull=True)


def workspace(actor):
    """The consultations ``actor`` reads, newest first, each with ``received``, ``published``
    and ``unanswered`` counted in the same query (and ``days_left`` from the prefetched
    windows): two queries a page."""
    qs = policy.scope_queryset(actor, scopes.READ, Consultation.objects.all())
    return (
        qs.select_related("draft", "organisation")
        .prefetch_related("windows")
        .annotate(
            received=Count("comments"),
            published=Count("comments", filter=_PUBLISHED),
            unanswered=Count("comments", filter=_PUBLISHED & Q(comments__answer__isnull=True)),
        )
        .order_by("-created_at", "-pk")
    )


def with_days_left(rows):
    for row in rows:
        row.days_left = days_left(row)
    return rows


def readable(actor, code: str) -> Consultation | None:
    """The consultation ``code`` if ``actor`` reads it (None otherwise: a 404, as ids of other
    agencies are not to be probed)."""
    found = (
        Consultation.objects.filter(code=code)
        .select_related("draft", "organisation")
        .prefetch_related("windows")
        .first()
    )
    if found is None or not policy.can(actor, scopes.READ, found):
        return None
    return found


def path_labels(units) -> dict[str, str]:
    """``{anchor: "Điểm a khoản 2 Điều 3"}``: each unit named with those above it (names, not
    the anchors' codes)."""
    by_anchor = {u.anchor: u.label for u in units}
    names = {}
    for unit in units:
        parts = unit.anchor.split(".")
        labels = [by_anchor.get(".".join(parts[:n]), "") for n in range(len(parts), 0, -1)]
        names[unit.anchor] = " ".join(
            [labels[0], *(label.lower() if label[:1] == "K" else label for label in labels[1:])]
        ).strip()
    return names


def anchor_names(comments) -> dict[tuple[int, str], str]:
    """The names of the units the comments are on, in the version each was made on: one
    query for a page of comments."""
    wanted = {(c.version_id, c.anchor) for c in comments if c.anchor}
    if not wanted:
        return {}
    versions = {v for v, _a in wanted}
    units = list(Unit.objects.filter(version_id__in=versions).only("version_id", "anchor", "label"))
    names = {}
    for version in versions:
        mine = [u for u in units if u.version_id == version]
        for anchor, name in path_labels(mine).items():
            if (version, anchor) in wanted:
                names[(version, anchor)] = name
    return names


def name_comments(comments) -> list:
    names = anchor_names(comments)
    for comment in comments:
        comment.place_name = names.get((comment.version_id, comment.anchor), comment.anchor)
    return comments


def unanswered(consultation: Consultation):
    """Published comments without an answer (a group's first comment stands for the group,
    ``group_size`` of them), first received first."""
    return (
        Comment.objects.filter(
            consultation=consultation,
            moderation=Moderation.VISIBLE,
            leader__isnull=True,
            answer__isnull=True,
        )
        .only(
            "pk",
            "version_id",
            "anchor",
            "quote",
            "text",
            "group_size",
            "author_name",
            "author_kind",
            "received_at",
        )
        .order_by("received_at", "pk")
    )


def answered(consultation: Consultation):
    return (
        Comment.objects.filter(
            consultation=consultation,
            moderation=Moderation.VISIBLE,
            leader__isnull=True,
            answer__isnull=False,
        )
        .select_related("answer__changed_unit__version")
        .order_by("-answer__answered_at", "-pk")
    )


def changed_units(consultation: Consultation) -> tuple[int | None, list[tuple[str, str]]]:
    """The latest version's number and its articles, clauses and points as (anchor, name):
    what an accepted answer may name as changed."""
    version = consultation.draft.versions.order_by("-number").first()
    units = list(version.units.only("version_id", "anchor", "label", "kind")) if version else []
    names = path_labels(units)
    return (
        version.number if version else None,
        [(u.anchor, names[u.anchor]) for u in units if u.kind != UnitKind.CHAPTER],
    )


def offered_acts(consultation: Consultation, actor) -> list[tuple[acts.Act, str]]:
    """The acts of the act table this phase leads to that ``actor`` may make, each with the
    reason the gate refuses it now ("" when it does not): shown, so the reason is read before
    the button is pressed."""
    return [
        (act, act.guard(consultation) if act.guard else "")
        for act in acts.ACTS.values()
        if consultation.phase in act.sources and acts.may(actor, act.name, consultation)
    ]


def moderated(actor):
    """The consultations ``actor`` moderates, newest first, each with its comments waiting for
    review (the queue's filter: one query)."""
    return (
        policy.scope_queryset(actor, scopes.MODERATE, Consultation.objects.all())
        .annotate(waiting=Count("comments", filter=Q(comments__moderation=Moderation.PENDING)))
        .order_by("-created_at", "-pk")
    )


def moderation_queue(actor, consultation=None):
    """Comments reported or hidden on the consultations ``actor`` moderates (or on one of
    them), those waiting for review first, each with its reports counted by reason (one query
    a page)."""
    qs = policy.scope_queryset(actor, scopes.MODERATE, Comment.objects.all())
    if consultation is not None:
        qs = qs.filter(consultation=consultation)
    reasons = {
        f"reports_{reason}": Count("reports", filter=Q(reports__reason=reason))
        for reason in ReportReason.values
    }
    return (
        qs.filter(Q(reports_count__gt=0) | ~Q(moderation=Moderation.VISIBLE))
        .select_related("consultation")
        .annotate(
            **reasons,
            waiting=Case(
                When(moderation=Moderation.PENDING, then=Value(0)),
                When(moderation=Moderation.VISIBLE, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("waiting", "-reports_count", "pk")
    )


def drafts(actor):
    """The drafts ``actor`` reads, newest first, with their number of versions and of
    regulations repealed (none: flagged, one in, one out)."""
    return (
        policy.scope_queryset(actor, scopes.READ, Draft.objects.all())
        .select_related("organisation")
        .annotate(
            version_count=Count("versions", distinct=True),
            repeal_count=Count("repeals", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )
