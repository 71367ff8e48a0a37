"""The ballot's state machine, one declaration per act (as egov.dossiers.acts; read by the
services, the API and the pages):

- ``issue`` (the secretariat) makes an open ballot;
- ``answer`` (a member, or their assistant where the ballot allows it) leaves it open;
- ``decide`` establishes the result: at the deadline, or as soon as no answer can change it
  (by the system after an answer, by ``egov cabinet-close``, or by the secretariat).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import Status
from egov.cabinet.scopes import ANSWER, ISSUE

SAME = None


@dataclass(frozen=True)
class Act:
    name: str
    sources: frozenset
    target: str | None
    scopes: tuple[str, ...]
    label: Promise = ""
    past: Promise = ""


_TABLE = (
    Act(
        "issue",
        frozenset(),
        Status.OPEN,
        (ISSUE,),
        label=pgettext_lazy("ballot act", "Issue the ballot"),
        past=pgettext_lazy("ballot act", "issued"),
    ),
    Act(
        "answer",
        frozenset({Status.OPEN}),
        SAME,
        (ANSWER,),
        label=pgettext_lazy("ballot act", "Sign and send my answer"),
        past=pgettext_lazy("ballot act", "answered"),
    ),
    Act(
        "decide",
        frozenset({Status.OPEN}),
        Status.DECIDED,
        (ISSUE,),
        label=pgettext_lazy("ballot act", "Establish the result"),
        past=pgettext_lazy("ballot act", "decided"),
    ),
    Act(
        "send_report",
        frozenset({Status.DECIDED}),
        SAME,
        (ISSUE,),
        label=pgettext_lazy("ballot act", "Send the report through the document exchange"),
        past=pgettext_lazy("ballot act", "sent"),
    ),
)
ACTS = {act.name: act for act in _TABLE}


def check_transition(ballot, name: str) -> Act:
    act = ACTS[name]
    if act.sources and ballot.status not in act.sources:
        if ballot.status == Status.OPEN:
            raise IllegalTransition(
                gettext("The result of this ballot is not established yet."), code="status"
            )
        raise IllegalTransition(
            gettext("The result of this ballot is already established: it cannot be %(past)s.")
            % {"past": act.past},
            code="status",
        )
    return act


def allowed_acts(ballot, held_scopes: set[str]) -> list[Act]:
    return [
        act
        for act in _TABLE
        if act.sources and ballot.status in act.sources and set(act.scopes) & held_scopes
    ]
