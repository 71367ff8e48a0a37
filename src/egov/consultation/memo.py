"""The draft page's body remembered: a chapter's units with their margins, the chapters' list
and counts, the comments on the whole draft and on clauses gone, and the comment form's list of
units, rendered once and kept in the shared cache until the consultation changes
(bench/README.md, "consultation": building them read 20,000 comments' counts and ~540 comments
with their answers, ~400 ms a page).

Nothing in the body is the reader's own (no form token, no "your comment"): the page's header
(phase, days left) and the comment form are rendered around it per request.

Never stale: each consultation has a generation counter (egov.core.generations) that every
change of it moves after its commit, from the audit log (a comment received, reported, hidden,
restored or answered, duplicates grouped on intake, a phase changed, the table published, a new
version of its draft: ``COUNTERS``, registered in ConsultationConfig.ready), and the remembered
body stores the counters it was made from; a body made from other values is made again. A write
that bypasses the services (a bulk load) shows after ``KEEP``. ``EGOV_CONSULTATION_PAGE_MEMO``
off: every page is made afresh (the same HTML).
"""

from __future__ import annotations

from django.conf import settings

from egov.core import generations

PREFIX = "consultation:gen:"
# The counter of a change whose consultation is not known: every page is made again.
UNPLACED = "any"
ANY = PREFIX + UNPLACED
KEEP = 3600  # a body's longest life: what a write bypassing the audit log may wait to show


def enabled() -> bool:
    return getattr(settings, "EGOV_CONSULTATION_PAGE_MEMO", True)


def _counter(consultation_id: int) -> str:
    return f"{PREFIX}{consultation_id}"


def _key(consultation_id: int, chapter: str, language: str) -> str:
    return f"consultation:page:{consultation_id}:{language}:{chapter}"


def recall(consultation, chapter: str, language: str) -> tuple[dict | None, str]:
    """(the remembered body of ``chapter`` or None, the token a body made now is stored
    with): one cache read."""
    keys = [ANY, _counter(consultation.pk)]
    key = _key(consultation.pk, chapter, language)
    counters, found = generations.read_with(keys, [key])
    token = ".".join(str(counters[k]) for k in keys)
    body = found.get(key)
    if body is not None and body.get("token") != token:
        body = None
    return body, token


def remember(consultation, chapter: str, language: str, token: str, body: dict) -> None:
    from django.core.cache import cache

    cache.set(_key(consultation.pk, chapter, language), {**body, "token": token}, KEEP)


# --- bumping -----------------------------------------------------------------------------------


def _object(entry) -> set:
    """The object the act changed, as (object type, id), for ``_consultations_of``; UNPLACED
    for one that names no object the page can place."""
    if entry.object_type and (entry.object_id or "").isdigit():
        return {(entry.object_type, int(entry.object_id))}
    return {UNPLACED}


def _consultations_of(changed: set[tuple[str, int]]) -> list[str]:
    """After the commit: the counters of the consultations the changed objects ((object type,
    id), ``_object``) belong to, and UNPLACED for an object of another type (its consultation is
    not known)."""
    from egov.consultation.models import Answer, Comment, Consultation, SummaryTable

    objects: dict[str, set[int]] = {}
    for label, pk in changed:
        objects.setdefault(label, set()).add(pk)
    ids = set(objects.pop("consultation.consultation", set()))
    for label, model in (
        ("consultation.comment", Comment),
        ("consultation.answer", Answer),
        ("consultation.summarytable", SummaryTable),
    ):
        if objects.get(label):
            ids |= set(
                model.objects.filter(pk__in=objects.pop(label)).values_list(
                    "consultation_id", flat=True
                )
            )
    if objects.get("consultation.draft"):
        # A new version: every consultation on the draft shows it.
        ids |= set(
            Consultation.objects.filter(draft_id__in=objects.pop("consultation.draft")).values_list(
                "pk", flat=True
            )
        )
    return [str(pk) for pk in ids] + ([UNPLACED] if objects else [])


# The consultation's acts, but for the regulations register and the reform plans (no draft
# page reads them).
COUNTERS = generations.Counters(
    PREFIX,
    {"consultation.*": _object},
    unread=("consultation.regulation.*", "consultation.plan.*"),
    resolve=_consultations_of,
)
