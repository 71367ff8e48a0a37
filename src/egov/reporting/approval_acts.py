"""The approval unit's state machine (DHIS2's data approval), one declaration per act, read by
the services, the API and the tests (as egov.dossiers.acts is for the dossier).

A unit is a regime, an organisation and a period. Its state:

- ``waiting``: not approved, and a lower unit is neither approved, accepted nor exempted (or,
  where the organisation reports itself, its report is absent);
- ``ready``: not approved, everything below is done;
- ``approved``: approved here, values locked;
- ``accepted``: approved here and accepted by the level above;
- ``exempted``: the level above approves without it, for a recorded reason.

``approve``/``unapprove`` are made at the unit's organisation; ``accept``, ``unaccept``,
``exempt`` and ``unexempt`` by the level above (its approver). Un-doing goes top down only: an
approval the level above accepted cannot be un-approved, and nothing under an approved level can
be undone (:func:`check_transition` refuses both, in Vietnamese).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from egov.reporting.models import ApprovalStatus
from egov.reporting.scopes import APPROVE

WAITING, READY = "waiting", "ready"
APPROVED, ACCEPTED, EXEMPTED = (
    ApprovalStatus.APPROVED.value,
    ApprovalStatus.ACCEPTED.value,
    ApprovalStatus.EXEMPTED.value,
)
DONE = frozenset({APPROVED, ACCEPTED, EXEMPTED})  # a lower unit that no longer holds one up
STATE_LABELS = {
    WAITING: pgettext_lazy("approval state", "Waiting for the lower levels"),
    READY: pgettext_lazy("approval state", "Ready for approval"),
    APPROVED: pgettext_lazy("approval state", "Approved here"),
    ACCEPTED: pgettext_lazy("approval state", "Accepted by the level above"),
    EXEMPTED: pgettext_lazy("approval state", "Exempted by the level above"),
}
HERE, ABOVE = "here", "above"


class IllegalTransition(ValidationError):
    """The unit's state does not allow the act (approving before the communes, ...)."""


@dataclass(frozen=True)
class Act:
    name: str
    sources: frozenset
    # The stored status it leads to (UNAPPROVED: back to waiting or ready).
    target: str
    scope: str
    # Who makes it: the unit's own organisation, or the level above.
    party: str
    label: Promise = ""
    past: Promise = ""
    needs_reason: bool = False
    # Undoing: refused while the level above has approved (top down only).
    top_down: bool = False


_TABLE = (
    Act(
        "approve",
        frozenset({READY}),
        APPROVED,
        APPROVE,
        HERE,
        label=pgettext_lazy("approval act", "Approve"),
        past=pgettext_lazy("approval act", "approved"),
    ),
    Act(
        "unapprove",
        frozenset({APPROVED}),
        ApprovalStatus.UNAPPROVED.value,
        APPROVE,
        HERE,
        label=pgettext_lazy("approval act", "Undo the approval"),
        past=pgettext_lazy("approval act", "un-approved"),
        top_down=True,
    ),
    Act(
        "accept",
        frozenset({APPROVED}),
        ACCEPTED,
        APPROVE,
        ABOVE,
        label=pgettext_lazy("approval act", "Accept"),
        past=pgettext_lazy("approval act", "accepted"),
    ),
    Act(
        "unaccept",
        frozenset({ACCEPTED}),
        APPROVED,
        APPROVE,
        ABOVE,
        label=pgettext_lazy("approval act", "Undo the acceptance"),
        past=pgettext_lazy("approval act", "un-accepted"),
        top_down=True,
    ),
    Act(
        "exempt",
        frozenset({WAITING, READY}),
        EXEMPTED,
        APPROVE,
        ABOVE,
        label=pgettext_lazy("approval act", "Exempt"),
        past=pgettext_lazy("approval act", "exempted"),
        needs_reason=True,
    ),
    Act(
        "unexempt",
        frozenset({EXEMPTED}),
        ApprovalStatus.UNAPPROVED.value,
        APPROVE,
        ABOVE,
        label=pgettext_lazy("approval act", "Withdraw the exemption"),
        past=pgettext_lazy("approval act", "un-exempted"),
        top_down=True,
    ),
)
ACTS = {act.name: act for act in _TABLE}


def state(status: str, ready: bool) -> str:
    """A unit's state from its stored status and whether everything below it is done."""
    if status in DONE:
        return status
    return READY if ready else WAITING


def check_transition(unit, name: str) -> Act:
    """``unit`` has ``state``, ``has_upper`` and ``upper_status``; refuse what it does not
    allow with a sentence in Vietnamese."""
    act = ACTS[name]
    if act.party == ABOVE and not unit.has_upper:
        raise IllegalTransition(
            gettext("This level has no level above it to do this."), code="no_upper"
        )
    if act.top_down and unit.upper_status in (APPROVED, ACCEPTED):
        raise IllegalTransition(
            gettext(
                "The level above has approved: undo its approval first (approvals are undone "
                "from the top down)."
            ),
            code="top_down",
        )
    if unit.state not in act.sources:
        if name == "approve" and unit.state == WAITING:
            message = gettext(
                "Not every lower level is approved or exempted, or the report is missing."
            )
        elif name == "unapprove" and unit.state == ACCEPTED:
            message = gettext(
                "The level above has accepted this approval: it must undo its acceptance "
                "first (approvals are undone from the top down)."
            )
        else:
            message = gettext("This cannot be %(past)s now: it is “%(state)s”.") % {
                "past": act.past,
                "state": STATE_LABELS[unit.state],
            }
        raise IllegalTransition(message, code="state")
    return act


def allowed_acts(unit, may) -> list[Act]:
    """The acts the state allows and ``may(party)`` (the caller's scope there) permits."""
    result = []
    for act in _TABLE:
        try:
            check_transition(unit, act.name)
        except IllegalTransition:
            continue
        if may(act.party):
            result.append(act)
    return result
