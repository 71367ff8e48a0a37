"""The task's state machine: one declaration per act, read by the services, the API and the
pages (as egov.dossiers.acts is for the dossier; docs/architecture.md).

Each act says the stages it leaves from, the stage it leads to, the scope it needs and at which
party of the task (the lead reports, the assigning Government Office decides), its labels and
the fields of its form. Besides its stage, an act may have a guard (an extension is asked before
the deadline, one at a time). :func:`allowed_acts` is what the pages offer; the services accept
exactly that (tests/assignments/test_acts.py walks every stage, party and act).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from egov.assignments.access import ASSIGNER, LEAD, can_party
from egov.assignments.errors import IllegalTransition
from egov.assignments.models import RECURRING, Assignment, DeadlineKind, ExtensionState, Stage
from egov.assignments.scopes import MANAGE, REPORT

S = Stage
SAME = None
LIVE = frozenset({S.OPEN, S.SUBMITTED})


def _before_deadline(assignment: Assignment, today: date) -> bool:
    """An extension is asked on or before the day the task falls due, never for an ongoing task,
    and one at a time."""
    if assignment.deadline_kind == DeadlineKind.ONGOING or assignment.due_on is None:
        return False
    return today <= assignment.due_on and not _pending(assignment, today)


def _pending(assignment: Assignment, today: date) -> bool:
    return any(e.state == ExtensionState.PENDING for e in assignment.extensions.all())


@dataclass(frozen=True)
class Act:
    name: str
    sources: frozenset
    target: int | None
    scope: str
    party: str
    label: Promise = ""
    done: Promise = ""
    past: Promise = ""
    fields: tuple[str, ...] = ()
    warning: bool = False
    # Beyond the stage: (task, today) -> may the act be made now?
    guard: Callable[[Assignment, date], bool] | None = None
    # Said when the guard refuses.
    refusal: Promise = ""

    def __str__(self) -> str:
        return self.name

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    @property
    def takes_files(self) -> bool:
        """The reports take uploaded files with their documents."""
        return "documents" in self.fields


_TABLE = (
    Act(
        "report_progress",
        frozenset({S.OPEN}),
        SAME,
        REPORT,
        LEAD,
        label=pgettext_lazy("assignment act", "Report progress"),
        done=pgettext_lazy("assignment act", "Progress reported"),
        past=pgettext_lazy("assignment act", "reported on"),
        fields=("text", "documents"),
    ),
    Act(
        "report_completion",
        frozenset({S.OPEN}),
        S.SUBMITTED,
        REPORT,
        LEAD,
        label=pgettext_lazy("assignment act", "Report completion"),
        done=pgettext_lazy("assignment act", "Completion reported"),
        past=pgettext_lazy("assignment act", "reported completed"),
        fields=("text", "result", "documents"),
    ),
    Act(
        "accept",
        frozenset({S.SUBMITTED}),
        S.DONE,
        MANAGE,
        ASSIGNER,
        label=pgettext_lazy("assignment act", "Accept the completion"),
        done=pgettext_lazy("assignment act", "Completion accepted"),
        past=pgettext_lazy("assignment act", "accepted"),
        fields=("note",),
    ),
    Act(
        "send_back",
        frozenset({S.SUBMITTED}),
        S.OPEN,
        MANAGE,
        ASSIGNER,
        label=pgettext_lazy("assignment act", "Send back"),
        done=pgettext_lazy("assignment act", "Sent back"),
        past=pgettext_lazy("assignment act", "sent back"),
        fields=("reason",),
        warning=True,
    ),
    Act(
        "request_extension",
        frozenset({S.OPEN}),
        SAME,
        REPORT,
        LEAD,
        label=pgettext_lazy("assignment act", "Ask for an extension"),
        done=pgettext_lazy("assignment act", "Extension requested"),
        past=pgettext_lazy("assignment act", "given an extension request"),
        fields=("new_deadline", "reason"),
        guard=_before_deadline,
        refusal=pgettext_lazy(
            "assignment act",
            "An extension can only be asked for on or before the deadline, for a task with a "
            "deadline, and one at a time.",
        ),
    ),
    Act(
        "approve_extension",
        LIVE,
        SAME,
        MANAGE,
        ASSIGNER,
        label=pgettext_lazy("assignment act", "Approve the extension"),
        done=pgettext_lazy("assignment act", "Extension approved"),
        past=pgettext_lazy("assignment act", "extended"),
        fields=("note",),
        guard=_pending,
        refusal=pgettext_lazy("assignment act", "No extension request is awaiting a decision."),
    ),
    Act(
        "refuse_extension",
        LIVE,
        SAME,
        MANAGE,
        ASSIGNER,
        label=pgettext_lazy("assignment act", "Refuse the extension"),
        done=pgettext_lazy("assignment act", "Extension refused"),
        past=pgettext_lazy("assignment act", "refused an extension"),
        fields=("reason",),
        warning=True,
        guard=_pending,
        refusal=pgettext_lazy("assignment act", "No extension request is awaiting a decision."),
    ),
    Act(
        "withdraw",
        LIVE,
        S.WITHDRAWN,
        MANAGE,
        ASSIGNER,
        label=pgettext_lazy("assignment act", "Withdraw the task"),
        done=pgettext_lazy("assignment act", "Withdrawn"),
        past=pgettext_lazy("assignment act", "withdrawn"),
        fields=("reason", "decision"),
        warning=True,
    ),
)

ACTS: dict[str, Act] = {act.name: act for act in _TABLE}
BY_SLUG: dict[str, Act] = {act.slug: act for act in _TABLE}


def today() -> date:
    return timezone.localdate()


def check_transition(assignment: Assignment, act: str, on: date | None = None) -> int:
    """The stage ``act`` leads to; IllegalTransition if the stage or the guard refuses it."""
    spec = ACTS[act]
    if assignment.stage not in spec.sources:
        raise IllegalTransition(
            gettext("A task that is “%(stage)s” cannot be %(act)s.")
            % {"stage": Stage(assignment.stage).label, "act": spec.past},
            code="illegal_transition",
        )
    if spec.guard is not None and not spec.guard(assignment, on or today()):
        raise IllegalTransition(str(spec.refusal), code="guard")
    return assignment.stage if spec.target is SAME else spec.target


def may(actor, act: str, assignment: Assignment) -> bool:
    """Whether ``actor`` holds the act's scope at the task's party; not whether the stage
    allows it."""
    spec = ACTS[act]
    return can_party(actor, spec.scope, assignment, spec.party)


def allowed_acts(assignment: Assignment, actor, on: date | None = None) -> list[Act]:
    """The acts ``actor`` may make on ``assignment`` now, in the table's order."""
    day = on or today()
    return [
        act
        for act in _TABLE
        if assignment.stage in act.sources
        and (act.guard is None or act.guard(assignment, day))
        and may(actor, act.name, assignment)
    ]


def is_recurring(assignment: Assignment) -> bool:
    return assignment.deadline_kind in RECURRING


__all__ = ["ACTS", "BY_SLUG", "Act", "allowed_acts", "check_transition", "may"]
