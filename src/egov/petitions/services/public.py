"""The public side: the published petitions' list (searched without diacritics, filtered by the
answering organisation, the sector of the procedure concerned, the category), a reader's
reaction to an answer (once per person), and the figures per organisation that the service index
reads (PAKN on time, PAKN satisfaction)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
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
# The public list's filter choices (answering organisations, sectors of the procedures concerned)
# each scan every published petition: 40-60 ms a page at 100,000 (bench/petitions.py). They
# change only when an answer is published, which clears them; the timeout bounds staleness if a
# clear is lost (another cache per process, a failed commit hook).
FILTERS_KEY = "petitions:public-filters"
FILTERS_SECONDS = 600


def published(query: str = "", *, organisation=None, sector=None, category: str = ""):
    """Published petitions, newest first, whose title, content or answer hold every word of
    ``query`` (diacritics and case ignored)."""
    qs = Petition.objects.filter(status=Status.PUBLISHED)
    for word in fold(query).split()[:MAX_WORDS]:
        qs = qs.filter(search_text__contains=word)
    if organisation is not None:
        qs = qs.filter(answered_by=organisation)
    if sector is not None:
        qs = qs.filter(procedure__sectors=sector)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-published_at", "-pk")


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
