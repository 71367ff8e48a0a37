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
from egov.core.models import Organisation

policy.register(Assignment, organisation="lead")
policy.register(Report, organisation="assignment__lead")
policy.register(Extension, organisation="assignment__lead")

LEAD = "lead"
ASSIGNER = "assigner"
COORDINATOR = "coordinator"


def visible(actor, action: str = scopes.READ, queryset=None):
    """Tasks ``actor`` may ``action`` as any of the three parties, in one query.

    The organisations the actor's grants cover are a subquery of ids, compared with the task's
    ``lead_id`` and ``assigner_id`` columns rather than joined for their paths: the report then
    reads only the covering index ``assignment_report`` (100,000 tasks: bench/tasks.py)."""
    queryset = Assignment.objects.all() if queryset is None else queryset
    if policy.is_superuser(actor):
        return queryset
    covered = Q(pk__in=[])
    for grant in policy.grants(actor):
        if grant.scope != action:
            continue
        if grant.include_subtree:
            covered |= Q(path__startswith=grant.path)
        else:
            covered |= Q(path=grant.path)
    orgs = Organisation.objects.filter(covered).values("pk")
    through = Assignment.coordinators.through.objects.filter(organisation_id__in=orgs)
    return queryset.filter(
        Q(lead_id__in=orgs) | Q(assigner_id__in=orgs) | Q(pk__in=through.values("assignment_id"))
    )


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
