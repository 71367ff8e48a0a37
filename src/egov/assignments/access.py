"""Who sees and acts on a task, for :mod:`egov.accounts.policy` (imported by the app's ``ready``).

A task has three parties: the organisation that assigned it (the Government Office), its lead and
its coordinating organisations. Each reads it with ``assignments.read`` held there (or above it,
with a subtree role); the lead reports (``assignments.report`` at the lead); the assigner decides
(``assignments.manage`` at the assigner). The policy's registration places a task at its lead;
:func:`visible` and :func:`can_read` widen reading to the other two parties.
"""

from __future__ import annotations

from django.db.models import Q

from egov.accounts import policy
from egov.assignments import scopes
from egov.assignments.models import Assignment, Extension, Report

policy.register(Assignment, organisation="lead")
policy.register(Report, organisation="assignment__lead")
policy.register(Extension, organisation="assignment__lead")

LEAD = "lead"
ASSIGNER = "assigner"
COORDINATOR = "coordinator"


def _path_q(field: str, grant) -> Q:
    if grant.include_subtree:
        return Q(**{f"{field}__path__startswith": grant.path})
    return Q(**{f"{field}__path": grant.path})


def visible(actor, action: str = scopes.READ, queryset=None):
    """Tasks ``actor`` may ``action`` as any of the three parties (one query, a subquery for
    the coordinators)."""
    queryset = Assignment.objects.all() if queryset is None else queryset
    if policy.is_superuser(actor):
        return queryset
    direct = Q(pk__in=[])
    coordinating = Q(pk__in=[])
    for grant in policy.grants(actor):
        if grant.scope != action:
            continue
        direct |= _path_q("lead", grant) | _path_q("assigner", grant)
        coordinating |= _path_q("organisation", grant)
    through = Assignment.coordinators.through.objects.filter(coordinating).values("assignment_id")
    return queryset.filter(direct | Q(pk__in=through))


def can_party(actor, action: str, assignment: Assignment, party: str) -> bool:
    """Does ``actor`` hold ``action`` at the task's ``party`` (lead, assigner, coordinator)?"""
    if party == LEAD:
        return policy.can(actor, action, assignment)
    if party == ASSIGNER:
        return policy.can(actor, action, assignment.assigner)
    return any(policy.can(actor, action, org) for org in assignment.coordinators.all())


def can_read(actor, assignment: Assignment) -> bool:
    """The object check matching :func:`visible`."""
    return any(can_party(actor, scopes.READ, assignment, p) for p in (LEAD, ASSIGNER, COORDINATOR))
