"""The petition's state machine: one declaration per act, read by the services, the pages and
the templates (as egov.dossiers.acts is for the dossier; docs/architecture.md).

- :func:`check_transition` (the services, inside their transaction): may the petition's status
  take this act? IllegalTransition otherwise;
- :func:`allowed_acts` (the pages): which acts may this actor make on this petition now?

What a page offers is what the service accepts (tests/petitions/test_acts.py walks every status,
role and act).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from egov.accounts import policy
from egov.petitions.errors import IllegalTransition
from egov.petitions.models import Petition, Status
from egov.petitions.scopes import ANSWER, DISPATCH, HANDLE, PUBLISH, SUBMIT

S = Status
# ``target`` of an act that goes back to the status the petition had before (a supplement), and
# of one that leaves the status as it is (a merge).
BEFORE = 0
SAME = None


def _not_merged(petition) -> bool:
    """A petition merged into another follows it: it has no acts of its own."""
    return petition.merged_into_id is None


@dataclass(frozen=True)
class Act:
    name: str
    # Statuses it leaves from; empty for ``submit``, which makes the petition.
    sources: frozenset
    # The status it leads to (BEFORE: the one before the supplement request; SAME: unchanged).
    target: int | None
    # Any one of these at the petition's current organisation allows it ...
    scopes: tuple[str, ...]
    # ... and the submitter (the petition's owner) may make it too.
    submitter: bool = False
    label: Promise = ""
    done: Promise = ""
    past: Promise = ""
    # The fields of its page form (petitions/_act.html); () for a bare confirmation.
    fields: tuple[str, ...] = ()
    # Acts that end or refuse get a warning button.
    warning: bool = False
    # Besides its status, what the petition must be for the act (not merged into another).
    guard: Callable[[Petition], bool] | None = _not_merged

    def __str__(self) -> str:
        return self.name


_TABLE = (
    Act(
        "submit",
        frozenset(),
        S.RECEIVED,
        (SUBMIT,),
        submitter=True,
        guard=None,
        label=pgettext_lazy("petition act", "Submit the petition"),
        done=pgettext_lazy("petition act", "Submitted"),
        past=pgettext_lazy("petition act", "submitted"),
    ),
    Act(
        "forward",
        frozenset({S.RECEIVED, S.RETURNED}),
        S.FORWARDED,
        (DISPATCH,),
        label=pgettext_lazy("petition act", "Forward to the competent organisation"),
        done=pgettext_lazy("petition act", "Forwarded"),
        past=pgettext_lazy("petition act", "forwarded"),
        fields=("to_organisation", "note"),
    ),
    Act(
        "accept",
        frozenset({S.FORWARDED}),
        S.ACCEPTED,
        (HANDLE,),
        label=pgettext_lazy("petition act", "Receive the petition"),
        done=pgettext_lazy("petition act", "Received by the organisation"),
        past=pgettext_lazy("petition act", "received"),
        fields=("note",),
    ),
    Act(
        "start",
        frozenset({S.ACCEPTED}),
        S.HANDLING,
        (HANDLE,),
        label=pgettext_lazy("petition act", "Start handling"),
        done=pgettext_lazy("petition act", "Handling started"),
        past=pgettext_lazy("petition act", "put into handling"),
        fields=("note",),
    ),
    Act(
        "request_supplement",
        frozenset({S.RECEIVED, S.ACCEPTED, S.HANDLING}),
        S.SUPPLEMENT_REQUESTED,
        (DISPATCH, HANDLE),
        label=pgettext_lazy("petition act", "Ask the submitter for a supplement"),
        done=pgettext_lazy("petition act", "Supplement requested"),
        past=pgettext_lazy("petition act", "asked for a supplement"),
        fields=("reason",),
    ),
    Act(
        "supplement",
        frozenset({S.SUPPLEMENT_REQUESTED}),
        BEFORE,
        (),
        submitter=True,
        guard=None,
        label=pgettext_lazy("petition act", "Send the supplement"),
        done=pgettext_lazy("petition act", "Supplemented"),
        past=pgettext_lazy("petition act", "supplemented"),
        fields=("note", "files"),
    ),
    Act(
        "merge",
        frozenset({S.RECEIVED, S.ACCEPTED, S.HANDLING}),
        SAME,
        (DISPATCH, HANDLE),
        label=pgettext_lazy("petition act", "Merge into a similar petition (one answer)"),
        done=pgettext_lazy("petition act", "Merged into a similar petition"),
        past=pgettext_lazy("petition act", "merged"),
        fields=("into",),
    ),
    Act(
        "refuse",
        frozenset({S.RECEIVED, S.ACCEPTED}),
        S.REFUSED,
        (DISPATCH, HANDLE),
        label=pgettext_lazy("petition act", "Refuse (outside scope)"),
        done=pgettext_lazy("petition act", "Refused"),
        past=pgettext_lazy("petition act", "refused"),
        fields=("reason",),
        warning=True,
    ),
    Act(
        "return_to_centre",
        frozenset({S.FORWARDED, S.ACCEPTED, S.HANDLING}),
        S.RETURNED,
        (HANDLE,),
        label=pgettext_lazy("petition act", "Return to the centre (wrong addressee)"),
        done=pgettext_lazy("petition act", "Returned to the centre"),
        past=pgettext_lazy("petition act", "returned to the centre"),
        fields=("reason",),
        warning=True,
    ),
    Act(
        "answer",
        frozenset({S.RECEIVED, S.ACCEPTED, S.HANDLING}),
        S.ANSWERED,
        (ANSWER,),
        label=pgettext_lazy("petition act", "Answer (signed by the organisation)"),
        done=pgettext_lazy("petition act", "Answered"),
        past=pgettext_lazy("petition act", "answered"),
        fields=("answer",),
    ),
    Act(
        "publish",
        frozenset({S.ANSWERED}),
        S.PUBLISHED,
        (PUBLISH,),
        label=pgettext_lazy("petition act", "Publish the answer"),
        done=pgettext_lazy("petition act", "Published"),
        past=pgettext_lazy("petition act", "published"),
    ),
)

ACTS: dict[str, Act] = {act.name: act for act in _TABLE}


def check_transition(petition: Petition, act: str) -> int:
    """The status ``act`` leads to (BEFORE resolved); IllegalTransition if the petition's status
    does not allow it."""
    spec = ACTS[act]
    if petition.status not in spec.sources:
        raise IllegalTransition(
            gettext("A petition that is “%(status)s” cannot be %(act)s.")
            % {"status": Status(petition.status).label, "act": spec.past},
            code="illegal_transition",
        )
    if spec.guard is not None and not spec.guard(petition):
        raise IllegalTransition(
            gettext("This petition was merged into %(lead)s: it follows that one's answer.")
            % {"lead": petition.merged_into.code},
            code="merged",
        )
    if spec.target == BEFORE:
        return petition.status_before or S.RECEIVED
    if spec.target is SAME:
        return petition.status
    return spec.target


def is_submitter(actor, petition: Petition) -> bool:
    user = policy.actor_of(actor) if actor is not None else None
    user_id = getattr(user, "pk", None)
    if user_id is None or getattr(user, "is_client", False):
        return False
    # A petition forwarded by another instance has no submitter here (their account is there).
    return petition.submitter is not None and petition.submitter.user_id == user_id


def may(actor, act: str, petition: Petition) -> bool:
    """Whether ``actor`` holds what ``act`` needs at the petition; not whether its status
    allows it."""
    spec = ACTS[act]
    if spec.submitter and is_submitter(actor, petition):
        return True
    return any(policy.can(actor, scope, petition) for scope in spec.scopes)


def allowed_acts(petition: Petition, actor) -> list[Act]:
    """The acts ``actor`` may make on ``petition`` now, in the table's order."""
    return [
        act
        for act in _TABLE
        if petition.status in act.sources
        and (act.guard is None or act.guard(petition))
        and may(actor, act.name, petition)
    ]


def done_label(act: str) -> str:
    spec = ACTS.get(act)
    return str(spec.done) if spec is not None else act


__all__ = ["ACTS", "BEFORE", "SAME", "Act", "allowed_acts", "check_transition", "may"]
