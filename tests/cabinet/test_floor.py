"""The meeting's floor (issue 19, §2): speakers' lists and live votes, with the quorum, the
substitute setting and the majority of all members."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import Outcome, Speaker, SpeakerState, Vote, VoteCast
from egov.cabinet.services import floor, meetings
from egov.core.models import AuditEntry

from ..accounts.officials_support import make_official
from .test_meetings import schedule


def _in_session(gov, count=None, **extra):
    """A meeting in session with the first ``count`` members present (all by default)."""
    meeting = schedule(gov, **extra)
    for member in gov.members[: count or len(gov.members)]:
        meetings.attend(gov.secretary, meeting, member)
    meeting.refresh_from_db()
    return meeting


def test_the_speakers_list(gov):
    meeting = schedule(gov)
    item = meeting.items.get(position=1)
    t0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
    a = floor.request_to_speak(gov.members[3].official, item)
    b = floor.request_to_speak(gov.assistant, item, member=gov.pm)  # for the PM
    c = floor.request_to_speak(gov.secretary, item, member=gov.members[5])
    assert [s.member for s in floor.speakers_for(meeting)[item.pk]] == [
        gov.members[3],
        gov.pm,
        gov.members[5],
    ]
    with pytest.raises(ValidationError) as caught:  # already waiting
        floor.request_to_speak(gov.members[3].official, item)
    assert caught.value.code == "once"
    with pytest.raises(ValidationError):  # an outsider takes no part
        floor.request_to_speak(gov.outsider, item)
    with pytest.raises(PermissionDenied):  # someone else's request
        floor.withdraw(gov.members[4].official, a)
    with pytest.raises(PermissionDenied):  # only the secretariat orders the list
        floor.move(gov.members[5].official, c)
    floor.move(gov.secretary, c, up=True)
    assert [s.pk for s in floor.speakers_for(meeting)[item.pk]] == [a.pk, c.pk, b.pk]
    with pytest.raises(IllegalTransition):  # not in session yet
        floor.start(gov.secretary, a, now=t0)
    floor.withdraw(gov.assistant, b)
    assert not Speaker.objects.filter(pk=b.pk).exists()

    meetings.attend(gov.secretary, meeting, gov.members[0])
    floor.start(gov.secretary, a, now=t0)
    floor.start(gov.secretary, c, now=t0 + dt.timedelta(seconds=150))  # a stops
    a.refresh_from_db()
    assert (a.state, a.seconds_used) == (SpeakerState.FINISHED, 150)
    done = floor.stop(gov.secretary, c, now=t0 + dt.timedelta(seconds=200))
    assert done.seconds_used == 50
    with pytest.raises(IllegalTransition):
        floor.stop(gov.secretary, done)
    # They may ask again after speaking.
    floor.request_to_speak(gov.members[3].official, item)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "cabinet.speaker.request",
        "cabinet.speaker.withdraw",
        "cabinet.speaker.move",
        "cabinet.speaker.start",
        "cabinet.speaker.stop",
    } <= actions
    meetings.close(gov.secretary, meeting)
    with pytest.raises(IllegalTransition):
        floor.request_to_speak(gov.members[6].official, item)


def test_a_vote_needs_the_session_and_its_quorum(gov):
    meeting = schedule(gov)
    item = meeting.items.first()
    with pytest.raises(IllegalTransition):
        floor.open_vote(gov.secretary, item, "Thông qua?")
    meetings.attend(gov.secretary, meeting, gov.members[0])  # 1 of 27: no quorum (18)
    with pytest.raises(ValidationError) as caught:
        floor.open_vote(gov.secretary, item, "Thông qua?")
    assert caught.value.code == "quorum"
    with pytest.raises(PermissionDenied):
        floor.open_vote(gov.members[1].official, item, "Thông qua?")
    assert not Vote.objects.exists()


def test_live_vote_majority_of_all_members(gov):
    meeting = _in_session(gov, 20)
    item = meeting.items.first()
    vote = floor.open_vote(gov.secretary, item, "Thông qua dự thảo Nghị định?")
    with pytest.raises(ValidationError):
        floor.open_vote(gov.secretary, item, "Một biểu quyết nữa?")  # one open per item
    for member in gov.members[:13]:
        floor.cast_vote(member.official, vote, "agree")
    tally = floor.tallies_for(meeting)[vote.pk]
    # 13 of 27 present-and-agreeing is not more than half of ALL members.
    assert (tally.count.agree, tally.agree_needed, tally.outcome) == (13, 1, "")
    with pytest.raises(ValidationError) as caught:
        floor.cast_vote(gov.members[0].official, vote, "disagree")
    assert caught.value.code == "once"
    with pytest.raises(ValidationError) as caught:  # absent
        floor.cast_vote(gov.members[25].official, vote, "agree")
    assert caught.value.code == "member"
    with pytest.raises(ValidationError):
        floor.cast_vote(gov.members[14].official, vote, "maybe")
    floor.cast_vote(gov.members[13].official, vote, "agree")
    tally = floor.tallies_for(meeting)[vote.pk]
    assert tally.decided and tally.outcome == Outcome.ADOPTED
    closed = floor.close_vote(gov.secretary, vote)
    assert closed.outcome == Outcome.ADOPTED
    with pytest.raises(IllegalTransition):
        floor.cast_vote(gov.members[14].official, vote, "agree")
    assert VoteCast.objects.count() == 14


def test_pm_breaks_a_tie_and_silence_is_not_agreement(gov):
    # 26 members: drop the last one's term before the meeting.
    gov.members[-1].term_end = dt.date.today()
    gov.members[-1].save()
    meeting = _in_session(gov, 26)
    assert meeting.members_count == 26
    vote = floor.open_vote(gov.secretary, meeting.items.first(), "Thông qua?")
    for i, member in enumerate(gov.members[:26]):
        floor.cast_vote(member.official, vote, "agree" if i < 13 else "disagree")
    assert floor.close_vote(gov.secretary, vote).outcome == Outcome.ADOPTED  # the PM agreed
    other = floor.open_vote(gov.secretary, meeting.items.first(), "Phương án 2?")
    for member in gov.members[:12]:
        floor.cast_vote(member.official, other, "agree")
    # 12 agree, nobody else voted: closing now is "not adopted", never silence as agreement.
    assert floor.close_vote(gov.secretary, other).outcome == Outcome.NOT_ADOPTED


@pytest.mark.parametrize("counted", [False, True])
def test_substitutes_votes_follow_the_setting(gov, counted):
    meeting = schedule(gov, substitutes_count=counted)
    deputy = make_official("thu_truong_bo", gov.office)
    for member in gov.members[:13]:
        meetings.attend(gov.secretary, meeting, member)
    for member in gov.members[13:27]:
        meetings.attend(gov.secretary, meeting, member, substitute=deputy)
    vote = floor.open_vote(gov.secretary, meeting.items.first(), "Thông qua?") if counted else None
    if not counted:
        # 13 in person: no quorum (18) when substitutes do not count.
        with pytest.raises(ValidationError):
            floor.open_vote(gov.secretary, meeting.items.first(), "Thông qua?")
        return
    for member in gov.members[:13]:
        floor.cast_vote(member.official, vote, "agree")
    with pytest.raises(ValidationError):  # the represented member cannot vote themselves
        floor.cast_vote(gov.members[20].official, vote, "agree")
    floor.cast_vote(gov.secretary, vote, "agree", member=gov.members[20])
    tally = floor.tallies_for(meeting)[vote.pk]
    assert tally.count.agree == 14 and tally.not_counted == 0 and tally.adopted
    assert VoteCast.objects.get(member=gov.members[20]).by_substitute


def test_a_substitutes_vote_is_shown_not_counted_by_default(gov):
    meeting = schedule(gov)
    deputy = make_official("thu_truong_bo", gov.office)
    for member in gov.members[:20]:
        meetings.attend(gov.secretary, meeting, member)
    meetings.attend(gov.secretary, meeting, gov.members[20], substitute=deputy)
    vote = floor.open_vote(gov.secretary, meeting.items.first(), "Thông qua?")
    for member in gov.members[:13]:
        floor.cast_vote(member.official, vote, "agree")
    floor.cast_vote(gov.secretary, vote, "agree", member=gov.members[20])
    tally = floor.tallies_for(meeting)[vote.pk]
    assert (tally.count.agree, tally.not_counted, tally.adopted) == (13, 1, False)
    assert floor.close_vote(gov.secretary, vote).outcome == Outcome.NOT_ADOPTED
