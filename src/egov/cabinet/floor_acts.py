"""The two state machines of the meeting's floor, one act table each (as egov.cabinet.acts):

Speakers (an agenda item's speakers' list; a row per request to speak):
- ``request`` (a member for themselves, their assistant, or the secretariat) → waiting;
- ``withdraw`` (the same people), while waiting: the request is removed (the audit keeps it);
- ``move`` (the secretariat), while waiting: a new place in the queue;
- ``start`` (the secretariat), waiting → speaking (whoever was speaking in the meeting stops);
- ``stop`` (the secretariat), speaking → finished; the time used is kept.

Live votes (a vote on an agenda item during the session):
- ``open`` (the secretariat), with the meeting in session and its quorum reached → open;
- ``cast`` (a member present in person; the secretariat for one represented by a substitute);
- ``close`` (the secretariat), open → closed, the outcome fixed by egov.cabinet.rule.
"""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy

from egov.cabinet.acts import SAME, Act
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import SpeakerState, VoteStatus
from egov.cabinet.scopes import ANSWER, ISSUE

_SPEAKER_TABLE = (
    Act(
        "request",
        frozenset(),
        SpeakerState.WAITING,
        (ANSWER, ISSUE),
        label=pgettext_lazy("speaker act", "Ask to speak"),
        past=pgettext_lazy("speaker act", "asked to speak"),
    ),
    Act(
        "withdraw",
        frozenset({SpeakerState.WAITING}),
        SAME,
        (ANSWER, ISSUE),
        label=pgettext_lazy("speaker act", "Withdraw the request"),
        past=pgettext_lazy("speaker act", "withdrawn"),
    ),
    Act(
        "move",
        frozenset({SpeakerState.WAITING}),
        SAME,
        (ISSUE,),
        label=pgettext_lazy("speaker act", "Move up"),
        past=pgettext_lazy("speaker act", "moved"),
    ),
    Act(
        "start",
        frozenset({SpeakerState.WAITING}),
        SpeakerState.SPEAKING,
        (ISSUE,),
        label=pgettext_lazy("speaker act", "Give the floor"),
        past=pgettext_lazy("speaker act", "given the floor"),
    ),
    Act(
        "stop",
        frozenset({SpeakerState.SPEAKING}),
        SpeakerState.FINISHED,
        (ISSUE,),
        label=pgettext_lazy("speaker act", "End the speech"),
        past=pgettext_lazy("speaker act", "stopped"),
    ),
)
SPEAKER_ACTS = {act.name: act for act in _SPEAKER_TABLE}

_VOTE_TABLE = (
    Act(
        "open",
        frozenset(),
        VoteStatus.OPEN,
        (ISSUE,),
        label=pgettext_lazy("meeting vote act", "Open the vote"),
        past=pgettext_lazy("meeting vote act", "opened"),
    ),
    Act(
        "cast",
        frozenset({VoteStatus.OPEN}),
        SAME,
        (ANSWER, ISSUE),
        label=pgettext_lazy("meeting vote act", "Vote"),
        past=pgettext_lazy("meeting vote act", "voted on"),
    ),
    Act(
        "close",
        frozenset({VoteStatus.OPEN}),
        VoteStatus.CLOSED,
        (ISSUE,),
        label=pgettext_lazy("meeting vote act", "Close the vote"),
        past=pgettext_lazy("meeting vote act", "closed"),
    ),
)
VOTE_ACTS = {act.name: act for act in _VOTE_TABLE}


def check_speaker(speaker, name: str) -> Act:
    act = SPEAKER_ACTS[name]
    if act.sources and speaker.state not in act.sources:
        raise IllegalTransition(
            gettext("This speaker is %(state)s: the request cannot be %(past)s now.")
            % {"state": speaker.get_state_display().lower(), "past": act.past},
            code="state",
        )
    return act


def check_vote(vote, name: str) -> Act:
    act = VOTE_ACTS[name]
    if act.sources and vote.status not in act.sources:
        raise IllegalTransition(
            gettext("This vote is closed: it cannot be %(past)s now.") % {"past": act.past},
            code="status",
        )
    return act
