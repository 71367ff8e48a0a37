"""Who is who in the e-Cabinet, and what they see.

The cabinet's roles are its own tables, not accounts' organisation roles: a Government member
(:class:`~egov.cabinet.models.Member`, for a term), a member's assistant
(:class:`~egov.cabinet.models.Assistant`), the secretariat
(:class:`~egov.cabinet.models.Secretary`).
They carry the cabinet's scopes (:func:`scopes_of`); an API client holds them through its token
as anywhere else (egov.accounts.policy). Every member and assistant sees only the ballots the
member is asked on; the secretariat sees all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from egov.accounts import current, policy
from egov.accounts.models import Official
from egov.cabinet import scopes
from egov.cabinet.models import Assistant, Ballot, Meeting, Member, Secretary


def official_of(user) -> Official | None:
    """The official behind a logged-in user; None for anyone else (an API client's principal
    is authenticated but is no user: it acts with its token's scopes, not as an official)."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, get_user_model()):
        return None
    # Whether they are of the secretariat comes with them (roles() needs it on every request).
    return (
        Official.objects.select_related("user", "organisation")
        .annotate(
            cabinet_is_secretary=Exists(
                Secretary.objects.filter(official=OuterRef("pk"), active=True)
            )
        )
        .filter(user=user)
        .first()
    )


def today() -> dt.date:
    return timezone.localdate()


def is_secretary(official: Official | None) -> bool:
    return bool(official) and Secretary.objects.filter(official=official, active=True).exists()


def own_terms(official: Official | None, day: dt.date | None = None):
    """The member terms ``official`` holds (ever: a former member still sees their ballots)."""
    return Member.objects.filter(official=official) if official else Member.objects.none()


def assisted(official: Official | None, day: dt.date | None = None):
    """The members ``official`` may act for on ``day``."""
    if official is None:
        return Member.objects.none()
    day = day or today()
    links = Assistant.objects.filter(official=official, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    return Member.objects.filter(pk__in=links.values("member_id"))


def taking_part():
    """Whether an official (``OuterRef("pk")``) has a role in the e-Cabinet today: a member's
    term, the secretariat, or assisting a member. Registered as a fact read with the logged-in
    official's row (egov.accounts.current), as the navigation asks it on every officials' page."""
    day = today()
    assisting = Assistant.objects.filter(official=OuterRef("pk"), valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    return (
        Exists(Member.objects.filter(official=OuterRef("pk")))
        | Exists(Secretary.objects.filter(official=OuterRef("pk"), active=True))
        | Exists(assisting)
    )


def takes_part(user) -> bool:
    """Whether ``user`` has any role in the e-Cabinet (its navigation link): read with their
    official's row, once per request (no query of its own when the row was read already)."""
    if policy.is_superuser(user):
        return True
    official = current.official_of(user)
    return bool(official is not None and official.cabinet_takes_part)


@dataclass(frozen=True)
class Roles:
    """What the caller is in the e-Cabinet, read once per request."""

    official: Official | None
    secretary: bool
    # The members whose ballots the caller takes part in: their own terms and those they assist.
    members: tuple[int, ...]


def roles(request_or_user) -> Roles:
    """The caller's cabinet roles; kept on the request (three queries, once per request)."""
    cached = getattr(request_or_user, "_cabinet_roles", None)
    if cached is not None:
        return cached
    user = getattr(request_or_user, "user", request_or_user)
    official = official_of(user)
    if official is None:
        found = Roles(None, False, ())
    else:
        # Own terms and the members assisted today in one query (every request asks).
        day = today()
        links = Assistant.objects.filter(official=official, valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )
        members = Member.objects.filter(
            Q(official=official) | Q(pk__in=links.values("member_id"))
        ).values_list("pk", flat=True)
        secretary = getattr(official, "cabinet_is_secretary", None)
        if secretary is None:
            secretary = is_secretary(official)
        found = Roles(official, secretary, tuple(members))
    if hasattr(request_or_user, "META"):
        request_or_user._cabinet_roles = found
    return found


def scopes_of(request_or_user) -> set[str]:
    """The cabinet scopes of the caller: a token's scopes, or those of their cabinet roles."""
    auth = getattr(request_or_user, "auth", None)
    if getattr(auth, "is_client", False):
        return set(auth.scopes) & {scopes.READ, scopes.ANSWER, scopes.ISSUE}
    user = getattr(request_or_user, "user", request_or_user)
    if policy.is_superuser(user):
        return {scopes.READ, scopes.ANSWER, scopes.ISSUE}
    found = roles(request_or_user)
    held: set[str] = set()
    if found.secretary:
        held |= {scopes.READ, scopes.ISSUE}
    if found.members:
        held |= {scopes.READ, scopes.ANSWER}
    return held


def visible_ballots(request_or_user, queryset=None):
    """The ballots the caller takes part in (all of them for the secretariat)."""
    queryset = Ballot.objects.all() if queryset is None else queryset
    auth = getattr(request_or_user, "auth", None)
    if getattr(auth, "is_client", False):
        return policy.scope_queryset(auth, scopes.READ, queryset)
    user = getattr(request_or_user, "user", request_or_user)
    if policy.is_superuser(user):
        return queryset
    found = roles(request_or_user)
    if found.secretary:
        return queryset
    if not found.members:
        return queryset.none()
    return queryset.filter(recipients__member__in=found.members).distinct()


def can_see(request_or_user, ballot: Ballot) -> bool:
    return visible_ballots(request_or_user, Ballot.objects.filter(pk=ballot.pk)).exists()


def visible_meetings(request_or_user, queryset=None):
    """The meetings the caller takes part in (all of them for the secretariat)."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    auth = getattr(request_or_user, "auth", None)
    if getattr(auth, "is_client", False):
        return policy.scope_queryset(auth, scopes.READ, queryset)
    user = getattr(request_or_user, "user", request_or_user)
    if policy.is_superuser(user):
        return queryset
    found = roles(request_or_user)
    if found.secretary:
        return queryset
    if not found.members:
        return queryset.none()
    return queryset.filter(participants__member__in=found.members).distinct()


# A ballot belongs to the organisation of the secretariat official who issued it (the
# Government Office): an API client acting for it may read them all.
policy.register(Ballot, organisation="issued_by__organisation")
policy.register(Meeting, organisation="scheduled_by__organisation")
