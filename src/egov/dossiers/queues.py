"""The officials' queues: filters shared by the queue page and the workspace's counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from egov.accounts import policy
from egov.accounts.models import Role
from egov.core import calendar


def my_roles(user) -> set[str]:
    """The roles the official holds today (own or delegated), at any organisation."""
    return {g.role for g in policy.grants(user) if g.role}


def at_my_step(user) -> Q:
    """Dossiers whose current step is for one of the official's roles."""
    roles = my_roles(user)
    q = Q(current_step__role__in=roles)
    if Role.DESK in roles:  # new dossiers (no step yet) wait for the desk
        q |= Q(current_step__isnull=True)
    return q


def soon_horizon(now: dt.datetime) -> dt.datetime:
    """ "Due soon": a result due before one working day from now (the nationwide calendar)."""
    return calendar.due(now, 1, calendar.Unit.WORKING_DAYS)
