"""The logged-in official, read once per request with what the frame needs to know about them.

Every officials' page asks who the official is three times over: the view's guard
(``official_required``), the policy's grants and the frame's header and navigation. Each used to
read ``Official`` (and the e-Cabinet's navigation link three more tables) on its own; now the
first to ask reads the row once, with:

- ``egov_delegated``: whether a delegation to them is in force today (the policy skips its
  delegation query when none is: most officials have none);
- the facts other apps registered (``egov.core.registry.official_fact``), e.g. whether they take
  part in the e-Cabinet, as subqueries of the same statement (accounts imports no app above it).

The row is kept on the user object for the day it was read, like the policy's grants: a request
has its own user object, so nothing outlives the request in a web worker.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from egov.core import registry

_CACHE = "_egov_official"


def official_of(user, day: dt.date | None = None):
    """The official behind ``user`` (None for a citizen, a superuser without a profile, an API
    client's principal or anyone anonymous); one query the first time per user object and day."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, get_user_model()):
        return None
    day = day or timezone.localdate()
    cached = getattr(user, _CACHE, None)
    if cached is not None and cached[0] == day:
        return cached[1]
    from egov.accounts.models import Delegation, Official

    delegated = Delegation.objects.filter(
        delegate=OuterRef("pk"), revoked_at__isnull=True, starts_on__lte=day, ends_on__gte=day
    )
    facts = {fact.name: fact.build() for fact in registry.official_facts()}
    official = (
        Official.objects.select_related("organisation")
        .annotate(egov_delegated=Exists(delegated), **facts)
        .filter(user=user)
        .first()
    )
    field = Official._meta.get_field("user")
    # `user.official` (the dossiers' actors read it) answers from here too, without a query.
    field.remote_field.set_cached_value(user, official)
    if official is not None:
        field.set_cached_value(official, getattr(user, "_wrapped", user))  # request.user is lazy
    with contextlib.suppress(AttributeError):
        setattr(user, _CACHE, (day, official))
    return official


def known(user, day: dt.date | None = None):
    """``(True, official)`` when :func:`official_of` already read it for ``user`` on ``day``,
    ``(False, None)`` otherwise (the caller then decides whether a query is worth it)."""
    cached = getattr(user, _CACHE, None)
    if cached is not None and cached[0] == (day or timezone.localdate()):
        return True, cached[1]
    return False, None


def forget(user) -> None:
    """Drop what was read about ``user`` (after their roles changed within one request, and in
    tests that change them between two checks with the same user object)."""
    with contextlib.suppress(AttributeError):
        setattr(user, _CACHE, None)
        user._egov_grants = None
