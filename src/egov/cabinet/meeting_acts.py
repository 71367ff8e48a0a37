"""The meeting's state machine, one declaration per act (as egov.cabinet.acts for ballots):

- ``schedule`` (the secretariat) makes a scheduled meeting with its agenda;
- ``mark`` (a member, or their assistant) marks an item before the meeting opens;
- ``attend`` (the secretariat) records who is present; the first one opens the session;
- ``conclude`` (the secretariat) writes an item's conclusion, creating its tasks;
- ``close`` (the secretariat) ends the meeting;
- ``send_minutes`` (the secretariat), once closed: the sealed minutes through the exchange.
"""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy

from egov.cabinet.acts import SAME, Act
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import MeetingStatus
from egov.cabinet.scopes import ANSWER, ISSUE

_OPEN = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION})

_TABLE = (
    Act(
        "schedule",
        frozenset(),
        MeetingStatus.SCHEDULED,
        (ISSUE,),
        label=pgettext_lazy("meeting act", "Schedule the meeting"),
        past=pgettext_lazy("meeting act", "scheduled"),
    ),
    Act(
        "mark",
        frozenset({MeetingStatus.SCHEDULED}),
        SAME,
        (ANSWER,),
        label=pgettext_lazy("meeting act", "Mark the item"),
        past=pgettext_lazy("meeting act", "marked"),
    ),
    Act(
        "attend",
        _OPEN,
        MeetingStatus.IN_SESSION,
        (ISSUE,),
        label=pgettext_lazy("meeting act", "Record attendance"),
        past=pgettext_lazy("meeting act", "attended"),
    ),
    Act(
        "conclude",
        _OPEN,
        SAME,
        (ISSUE,),
        label=pgettext_lazy("meeting act", "Write the conclusion"),
        past=pgettext_lazy("meeting act", "concluded"),
    ),
    Act(
        "close",
        _OPEN,
        MeetingStatus.CLOSED,
        (ISSUE,),
        label=pgettext_lazy("meeting act", "Close the meeting"),
        past=pgettext_lazy("meeting act", "closed"),
    ),
    Act(
        "send_minutes",
        frozenset({MeetingStatus.CLOSED}),
        SAME,
        (ISSUE,),
        label=pgettext_lazy("meeting act", "Sign and send the minutes"),
        past=pgettext_lazy("meeting act", "sent its minutes"),
    ),
)
ACTS = {act.name: act for act in _TABLE}


def check_transition(meeting, name: str) -> Act:
    act = ACTS[name]
    if act.sources and meeting.status not in act.sources:
        raise IllegalTransition(
            gettext("This meeting is %(status)s: it cannot be %(past)s now.")
            % {"status": meeting.get_status_display().lower(), "past": act.past},
            code="status",
        )
    return act
