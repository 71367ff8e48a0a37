"""The public side: the published petitions' list (searched without diacritics, filtered by the
answering organisation, the sector of the procedure concerned, the category), a reader's
reaction to an answer (once per person), and the figures per organisation that the service index
reads (PAKN on time, PAKN satisfaction)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Count, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.catalog.models import Sector
from egov.core.models import Organisation
from egov.core.services import audit
from egov.core.text import fold
from egov.petitions import deadlines
from egov.petitions.errors import PetitionError
from egov.petitions.models import OPEN, HandOff, Petition, Reaction, Status
from egov.petitions.services._common import user_of

MAX_WORDS = 8
_WORD = re.compile(r"[a-z0-9]+")
# How many of the newest petitions a search tests row by row before it asks the text index.
WINDOW = 2000
# The public list's filter choices (answering organisations, sectors of the procedures concerned)
# each scan every published petition: 40-60 ms a page at 100,000 (bench/petitions.py). They
# change only when an answer is published, which clears them; the timeout bounds staleness if a
# clear is lost (another cache per process, a failed commit hook).
FILTERS_KEY = "petitions:public-filters"
FILTERS_SECONDS = 600


def matching(words: list[str], *, row_by_row: bool = False):
    """The condition "has every word", on the text index of migration 0002 (PostgreSQL tsvector,
    SQLite FTS5). ``words`` are folded [a-z0-9] tokens: no quoting is needed in either syntax.
    ``row_by_row``: test each row read (walking the date index) rather than fetch every match
    through the text index (see :func:`page`)."""
    if connection.vendor == "postgresql":
        sql = "petitions_petition.search_vector @@ to_tsquery('simple', %s)"
        if row_by_row:  # not a form the GIN index answers: the planner walks the date index
            sql = f"({sql}) IS TRUE"
        terms = " & ".join(words)
    else:
        sql = (
            "petitions_petition.id IN (SELECT rowid FROM petitions_search"
            " WHERE petitions_search MATCH %s)"
        )
        if row_by_row:  # unary +: SQLite may not drive the query by the matches' rowids
            sql = "+" + sql
        terms = " ".join(f'"{w}"' for w in words)
    # The SQL is one of the constants above; the words go as a parameter.
    return RawSQL(sql, [terms], output_field=BooleanField())  # noqa: S611


def words_of(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_WORDS]


def _filtered(*, organisation=None, sector=None, category: str = ""):
    qs = Petition.objects.filter(status=Status.PUBLISHED)
    if organisation is not None:
        qs = qs.filter(answered_by=organisation)
    if sector is not None:
        qs = qs.filter(procedure__sectors=sector)
    if category:
        qs = qs.filter(category=category)
    return qs


def published(query: str = "", *, organisation=None, sector=None, category: str = ""):
    """Published petitions, newest first, whose title, content or answer hold every word of
    ``query`` (whole words; diacritics and case ignored)."""
    qs = _filtered(organisation=organisation, sector=sector, category=category)
    words = words_of(query)
    if words:
        qs = qs.filter(matching(words))
    return qs.order_by("-published_at", "-pk")


@dataclass
class Page:
    rows: list
    older: str  # the cursor of the next page (older petitions), "" at the end
    newer: str  # the cursor of the previous page, "" at the start


def cursor_of(petition) -> str:
    return f"{int(petition.published_at.timestamp() * 1_000_000)}-{petition.pk}"


def _parse_cursor(value: str):
    """(published_at, pk) of a cursor, or None for anything else (a bad link starts over)."""
    stamp, _sep, pk = (value or "").partition("-")
    if not (stamp.isdigit() and pk.isdigit() and len(stamp) <= 20 and len(pk) <= 18):
        return None
    try:
        when = dt.datetime.fromtimestamp(int(stamp) / 1_000_000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return when, int(pk)


def page(
    query: str = "",
    *,
    organisation=None,
    sector=None,
    category: str = "",
    before: str = "",
    after: str = "",
    size: int = 20,
) -> Page:
    """One page of :func:`published`, newest first: the ``size`` petitions older than the cursor
    ``before`` (or newer than ``after``). Keyset pages and no count: at 100,000 petitions the
    exact count of a common word read every match at each request (bench/petitions.py).

    With a query, the newest ``WINDOW`` petitions past the cursor are tested row by row first,
    walking the date index: a common word fills the page from them in about a millisecond,
    where the text index would fetch and sort every match (12,500 for "ngập nước": 100 ms on
    PostgreSQL). Only when the window does not fill the page (a rarer word, or none) does the
    index answer, and then its matches are few. Queries: 1 without a query, 2 or 3 with one."""
    base = _filtered(organisation=organisation, sector=sector, category=category)
    newer_first = True
    if (at := _parse_cursor(after)) is not None:
        base = base.filter(published_at__gte=at[0]).exclude(published_at=at[0], pk__lte=at[1])
        newer_first = False
    elif (at := _parse_cursor(before)) is not None:
        base = base.filter(published_at__lte=at[0]).exclude(published_at=at[0], pk__gte=at[1])
    order = ["-published_at", "-pk"] if newer_first else ["published_at", "pk"]
    base = base.order_by(*order).select_related("answered_by")
    words = words_of(query)
    if not words:
        rows = list(base[: size + 1])
    else:
        # The window: the petitions up to the WINDOW-th one's date (ties included).
        edge = list(base.values_list("published_at", flat=True)[WINDOW - 1 : WINDOW])
        window = base
        if edge:
            bound = "published_at__gte" if newer_first else "published_at__lte"
            window = base.filter(**{bound: edge[0]})
        rows = list(window.filter(matching(words, row_by_row=True))[: size + 1])
        if len(rows) <= size and edge:
            rows = list(base.filter(matching(words))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not newer_first:
        rows.reverse()
    if not rows:
        return Page([], "", "")
    older = cursor_of(rows[-1]) if (more if newer_first else True) else ""
    newer = cursor_of(rows[0]) if (at is not None and (newer_first or more)) else ""
    return Page(rows, older, newer)


def filter_choices() -> tuple[list, list]:
    """(answering organisations, sectors) of published petitions, by name; cached."""
    found = cache.get(FILTERS_KEY)
    if found is None:
        published_ = Petition.objects.filter(status=Status.PUBLISHED)
        organisations = list(
            Organisation.objects.filter(pk__in=published_.values("answered_by")).order_by("name")
        )
        sectors = list(
            Sector.objects.filter(procedures__petitions__status=Status.PUBLISHED)
            .distinct()
            .order_by("name")
        )
        found = (organisations, sectors)
        cache.set(FILTERS_KEY, found, FILTERS_SECONDS)
    return found


def forget_filter_choices() -> None:
    cache.delete(FILTERS_KEY)


def react(actor, petition, *, useful: bool) -> Reaction:
    """A logged-in person marks a published answer useful or not; a second time is refused."""
    user = user_of(actor)
    if user is None:
        raise PermissionDenied(_("Log in to say whether the answer was useful."))
    if petition.status != Status.PUBLISHED:
        raise PetitionError(_("Only a published answer can be rated."), code="not_published")
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(petition=petition, user=user, useful=bool(useful))
            audit.record(
                actor=user,
                action="petitions.react",
                obj=petition,
                summary={"code": petition.code, "useful": bool(useful)},
            )
    except IntegrityError as exc:
        raise PetitionError(
            _("You have already said whether this answer was useful."), code="already_reacted"
        ) from exc
    return reaction


@dataclass(frozen=True)
class Figures:
    organisation_id: int
    received: int
    answered_on_time: int
    answered_late: int
    overdue_now: int
    reactions: int
    not_useful: int

    @property
    def not_useful_share(self) -> float | None:
        """The share of "not useful" among the reactions to its answers (None: no reactions)."""
        return self.not_useful / self.reactions if self.reactions else None

    @property
    def on_time_share(self) -> float | None:
        answered = self.answered_on_time + self.answered_late
        return self.answered_on_time / answered if answered else None


def figures(organisations=None, *, now=None) -> dict[int, Figures]:
    """The figures of each organisation (ids; None: every one with petitions), in four queries:
    received (submitted there or forwarded to it), answered on time and late, open petitions
    overdue now, and the reactions to its answers."""
    now = now or timezone.now()
    ids = None if organisations is None else [getattr(o, "pk", o) for o in organisations]

    def only(qs, field):
        return qs if ids is None else qs.filter(**{f"{field}__in": ids})

    received = dict(
        only(HandOff.objects.filter(act__in=["submit", "forward"]), "to_organisation")
        .values_list("to_organisation")
        .annotate(n=Count("petition", distinct=True))
    )
    answered = {
        row["answered_by"]: row
        for row in only(Petition.objects.filter(answered_at__isnull=False), "answered_by")
        .values("answered_by")
        .annotate(
            on_time=Count("pk", filter=Q(answered_late=False)),
            late=Count("pk", filter=Q(answered_late=True)),
        )
    }
    overdue = dict(
        only(Petition.objects.filter(deadlines.overdue_q(now), status__in=OPEN), "organisation")
        .values_list("organisation")
        .annotate(n=Count("pk"))
    )
    reactions = {
        row["petition__answered_by"]: row
        for row in only(Reaction.objects.all(), "petition__answered_by")
        .values("petition__answered_by")
        .annotate(total=Count("pk"), not_useful=Count("pk", filter=Q(useful=False)))
    }
    keys = set(received) | set(answered) | set(overdue) | set(reactions)
    if ids is not None:
        keys |= set(ids)
    keys.discard(None)
    return {
        org: Figures(
            organisation_id=org,
            received=received.get(org, 0),
            answered_on_time=answered.get(org, {}).get("on_time", 0),
            answered_late=answered.get(org, {}).get("late", 0),
            overdue_now=overdue.get(org, 0),
            reactions=reactions.get(org, {}).get("total", 0),
            not_useful=reactions.get(org, {}).get("not_useful", 0),
        )
        for org in sorted(keys)
    }
