"""What every act on a task shares: the lock, the checks, the audit row, in the act's
transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.assignments import access
from egov.assignments.acts import ACTS, check_transition, may
from egov.assignments.errors import AssignmentError
from egov.assignments.models import Assignment
from egov.core.services import audit


def user_of(actor):
    actor = policy.actor_of(actor) if actor is not None else None
    if actor is None or getattr(actor, "is_client", False) or not getattr(actor, "pk", None):
        return None
    return actor


def refusal(actor, act: str, assignment: Assignment) -> str:
    """Why ``actor`` may not make ``act``: said plainly for the cases the issue names (a
    coordinating organisation asking for an extension, someone outside the lead reporting)."""
    spec = ACTS[act]
    if spec.party == access.LEAD:
        if access.can_party(actor, spec.scope, assignment, access.COORDINATOR):
            return _(
                "Only the lead organisation (%(lead)s) can do this: a coordinating organisation "
                "cannot."
            ) % {"lead": assignment.lead.name}
        return _("Only officials of the lead organisation (%(lead)s) can do this.") % {
            "lead": assignment.lead.name
        }
    return _("Only the organisation that assigned the task (%(org)s) can do this.") % {
        "org": assignment.assigner.name
    }


def begin(actor, assignment, act: str, on=None) -> tuple[Assignment, int]:
    """The task locked for the act, and the stage it leads to. PermissionDenied first (a refused
    caller learns nothing of the stage), IllegalTransition if the stage or guard refuses it."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("lead", "assigner")
        .get(pk=assignment.pk)
    )
    if not may(actor, act, locked):
        raise PermissionDenied(refusal(actor, act, locked))
    return locked, check_transition(locked, act, on)


def required(value, field: str, message: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        raise AssignmentError({field: [message]}, code="required")
    return value


def record(actor, assignment: Assignment, act: str, **summary) -> None:
    audit.record(
        actor=policy.actor_of(actor),
        action=f"assignments.{act}",
        obj=assignment,
        organisation=assignment.lead,
        summary={"stage": assignment.stage, **summary},
    )
