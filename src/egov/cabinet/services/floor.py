"""The meeting's floor (issue 19, §2 "during the meeting"): each agenda item's speakers' list
and the live votes. Every act is one transaction under the meeting's row lock with one audit
row (egov.cabinet.floor_acts declares them); bad input is a ValidationError in Vietnamese and
nothing is written.

Speakers, as OpenSlides keeps them: a request waits in ``weight`` order; the secretariat gives
the floor (one speaker at a time in the meeting: the previous one stops) and ends the speech;
the time used is the span between the two.

Live votes: opened by the secretariat on an item while the meeting is in session and its
quorum (egov.cabinet.services.meetings.quorum) is reached; a member present in person votes
from their own screen; for a member represented by a substitute, the secretariat records the
substitute's vote (a substitute holds no cabinet role), counted only where the meeting's
``substitutes_count`` says so. Adopted as a ballot is (egov.cabinet.rule): more than half of
all N agree, a tie of half against half goes the Prime Minister's way; abstention and silence
never count as agreement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Official
from egov.cabinet import access, floor_acts, rule
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingStatus,
    Member,
    Outcome,
    Position,
    Speaker,
    SpeakerState,
    Vote,
    VoteCast,
    VoteChoice,
    VoteStatus,
)
from egov.cabinet.services.meetings import _member_for, quorum
from egov.cabinet.services.tally import ByTheRule
from egov.core.services import audit


def _locked_meeting(meeting_id: int, *, in_session: bool = False) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    if meeting.status == MeetingStatus.CLOSED:
        raise IllegalTransition(_("This meeting is closed."), code="status")
    if in_session and meeting.status != MeetingStatus.IN_SESSION:
        raise IllegalTransition(
            _("This meeting is not in session yet: record the attendance first."), code="status"
        )
    return meeting


def _record(actor: Official, action: str, meeting: Meeting, **summary) -> None:
    audit.record(actor=actor.user, action=f"cabinet.{action}", obj=meeting, summary=summary)


# --- speakers -------------------------------------------------------------------------------


def _may_act_for(actor: Official | None, member: Member) -> bool:
    if access.is_secretary(actor):
        return True
    if actor is not None and member.official_id == actor.pk:
        return True
    return access.assisted(actor).filter(pk=member.pk).exists()


def request_to_speak(
    actor: Official,
    item: AgendaItem,
    *,
    member: Member | None = None,
    now: dt.datetime | None = None,
) -> Speaker:
    """A member asks to speak on ``item`` (an assistant for ``member``; the secretariat for any
    member taking part): last in the queue."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            meeting = _locked_meeting(item.meeting_id)
            if access.is_secretary(actor) and member is not None:
                if not meeting.participants.filter(member=member).exists():
                    raise ValidationError(
                        _("%(member)s does not take part in this meeting.") % {"member": member},
                        code="member",
                    )
            else:
                if member is not None and member.official_id == actor.pk:
                    member = None  # for themselves
                member = _member_for(meeting, actor, member)
            last = item.speakers.aggregate(m=Max("weight"))["m"] or 0
            speaker = Speaker.objects.create(
                item=item, member=member, weight=last + 1, requested_by=actor, requested_at=now
            )
            _record(actor, "speaker.request", meeting, item=item.position, member=member.pk)
    except IntegrityError:
        raise ValidationError(
            _("%(member)s is already on this item's speakers' list.") % {"member": member},
            code="once",
        ) from None
    return speaker


def withdraw(actor: Official, speaker: Speaker) -> None:
    """A waiting request is taken back by its member, their assistant or the secretariat."""
    with transaction.atomic():
        meeting = _locked_meeting(speaker.item.meeting_id)
        speaker = Speaker.objects.select_related("member").get(pk=speaker.pk)
        floor_acts.check_speaker(speaker, "withdraw")
        if not _may_act_for(actor, speaker.member):
            raise PermissionDenied(_("You may withdraw only your own request to speak."))
        _record(
            actor,
            "speaker.withdraw",
            meeting,
            item=speaker.item.position,
            member=speaker.member_id,
        )
        speaker.delete()


def _secretary(actor: Official) -> None:
    if not access.is_secretary(actor):
        raise PermissionDenied(_("Only the Government Office's secretariat may do this."))


def move(actor: Official, speaker: Speaker, *, up: bool = True) -> Speaker:
    """The secretariat moves a waiting speaker one place up (or down) the queue."""
    _secretary(actor)
    with transaction.atomic():
        meeting = _locked_meeting(speaker.item.meeting_id)
        speaker = Speaker.objects.get(pk=speaker.pk)
        floor_acts.check_speaker(speaker, "move")
        queue = list(Speaker.objects.filter(item_id=speaker.item_id, state=SpeakerState.WAITING))
        at = next(i for i, s in enumerate(queue) if s.pk == speaker.pk)
        other = at - 1 if up else at + 1
        if 0 <= other < len(queue):
            neighbour = queue[other]
            # Weights may tie (never in practice): give both distinct places first.
            first, second = sorted((speaker.weight, neighbour.weight))
            if first == second:
                second = first + 1
            speaker.weight, neighbour.weight = (first, second) if up else (second, first)
            Speaker.objects.bulk_update([speaker, neighbour], ["weight"])
        _record(actor, "speaker.move", meeting, speaker=speaker.pk, up=up)
    return speaker


def start(actor: Official, speaker: Speaker, *, now: dt.datetime | None = None) -> Speaker:
    """The secretariat gives the floor; whoever speaks in the meeting stops first."""
    _secretary(actor)
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(speaker.item.meeting_id, in_session=True)
        speaker = Speaker.objects.get(pk=speaker.pk)
        act = floor_acts.check_speaker(speaker, "start")
        Speaker.objects.filter(item__meeting=meeting, state=SpeakerState.SPEAKING).update(
            state=SpeakerState.FINISHED, ended_at=now
        )
        speaker.state, speaker.started_at = act.target, now
        speaker.save(update_fields=["state", "started_at"])
        _record(actor, "speaker.start", meeting, speaker=speaker.pk, member=speaker.member_id)
    return speaker


def stop(actor: Official, speaker: Speaker, *, now: dt.datetime | None = None) -> Speaker:
    _secretary(actor)
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(speaker.item.meeting_id, in_session=True)
        speaker = Speaker.objects.get(pk=speaker.pk)
        act = floor_acts.check_speaker(speaker, "stop")
        speaker.state, speaker.ended_at = act.target, now
        speaker.save(update_fields=["state", "ended_at"])
        _record(actor, "speaker.stop", meeting, speaker=speaker.pk, seconds=speaker.seconds_used)
    return speaker


def speakers_for(meeting: Meeting) -> dict[int, list[Speaker]]:
    """Every item's speakers in queue order: one query for the whole meeting."""
    found: dict[int, list[Speaker]] = {}
    rows = Speaker.objects.filter(item__meeting=meeting).select_related("member__official__user")
    for row in rows.order_by("item_id", "weight", "id"):
        found.setdefault(row.item_id, []).append(row)
    return found


# --- live votes -----------------------------------------------------------------------------


def open_vote(
    actor: Official, item: AgendaItem, question: str, *, now: dt.datetime | None = None
) -> Vote:
    _secretary(actor)
    now = now or timezone.now()
    question = (question or "").strip()
    if not question:
        raise ValidationError(_("Write the question put to the vote."), code="question")
    try:
        with transaction.atomic():
            meeting = _locked_meeting(item.meeting_id, in_session=True)
            act = floor_acts.VOTE_ACTS["open"]
            if not quorum(meeting).reached:
                raise ValidationError(
                    _("The quorum is not reached: the meeting cannot vote."), code="quorum"
                )
            vote = Vote.objects.create(
                item=item, question=question[:500], status=act.target, opened_by=actor,
                opened_at=now,
            )  # fmt: skip
            _record(actor, "vote.open", meeting, item=item.position, vote=vote.pk)
    except IntegrityError:
        raise ValidationError(
            _("A vote is already open on this item: close it first."), code="open"
        ) from None
    return vote


def cast_vote(
    actor: Official,
    vote: Vote,
    choice: str,
    *,
    member: Member | None = None,
    now: dt.datetime | None = None,
) -> VoteCast:
    """A member present in person votes (``member`` None); the secretariat records the vote of
    ``member`` (one represented by a substitute, or a show of hands)."""
    now = now or timezone.now()
    if choice not in VoteChoice.values:
        raise ValidationError(_("Vote agree, disagree or abstain."), code="choice")
    try:
        with transaction.atomic():
            meeting = _locked_meeting(vote.item.meeting_id, in_session=True)
            vote = Vote.objects.get(pk=vote.pk)
            floor_acts.check_vote(vote, "cast")
            present = Attendance.objects.filter(meeting=meeting)
            if member is None:
                # A substitute's own login is not the member's: only members present vote.
                attended = present.filter(member__official=actor, substitute__isnull=True).first()
            else:
                _secretary(actor)
                attended = present.filter(member=member).first()
            if attended is None:
                raise ValidationError(
                    _("Only members recorded as present may vote."), code="member"
                )
            row = VoteCast.objects.create(
                vote=vote,
                member_id=attended.member_id,
                choice=choice,
                by_substitute=attended.substitute_id is not None,
                cast_by=actor,
                cast_at=now,
            )
            _record(
                actor,
                "vote.cast",
                meeting,
                vote=vote.pk,
                member=attended.member_id,
                choice=choice,
                by_substitute=row.by_substitute,
            )
    except IntegrityError:
        raise ValidationError(
            _("This member has already voted: a vote cannot be changed."), code="once"
        ) from None
    return row


@dataclass(frozen=True)
class VoteTally(ByTheRule):
    vote: Vote
    count: rule.Count
    abstain: int
    # Votes of substitutes shown but not counted (the meeting's setting).
    not_counted: int

    @property
    def recorded(self) -> str:
        return self.vote.outcome


def tallies_for(meeting: Meeting, votes=None) -> dict[int, VoteTally]:
    """The tally of every vote of the meeting (or of ``votes``): three queries in all."""
    votes = list(
        Vote.objects.filter(item__meeting=meeting).select_related("item").order_by("item", "id")
        if votes is None
        else votes
    )
    if not votes:
        return {}
    casts = VoteCast.objects.filter(vote__in=votes).values_list(
        "vote_id", "member_id", "choice", "by_substitute"
    )
    present = Attendance.objects.filter(meeting=meeting).values_list(
        "member_id", "substitute_id", "member__position"
    )
    counted_present: set[int] = set()
    pm = None
    for member_id, substitute_id, position in present:
        if substitute_id is None or meeting.substitutes_count:
            counted_present.add(member_id)
        if position == Position.PRIME_MINISTER:
            pm = member_id
    by_vote: dict[int, list] = {v.pk: [] for v in votes}
    for vote_id, member_id, choice, by_substitute in casts:
        by_vote[vote_id].append((member_id, choice, by_substitute))
    result = {}
    for vote in votes:
        counts = {VoteChoice.AGREE: 0, VoteChoice.DISAGREE: 0, VoteChoice.ABSTAIN: 0}
        voted, not_counted, pm_choice = set(), 0, ""
        for member_id, choice, by_substitute in by_vote[vote.pk]:
            voted.add(member_id)
            if by_substitute and not meeting.substitutes_count:
                not_counted += 1
                continue
            counts[choice] += 1
            if member_id == pm:
                pm_choice = rule.AGREE if choice == VoteChoice.AGREE else choice
        pending = counted_present - voted if vote.status == VoteStatus.OPEN else set()
        count = rule.Count(
            n=meeting.members_count,
            agree=counts[VoteChoice.AGREE],
            disagree=counts[VoteChoice.DISAGREE],
            other=counts[VoteChoice.ABSTAIN],
            pm_choice=pm_choice,
            pending=len(pending),
            pm_pending=pm is not None and pm in pending,
        )
        result[vote.pk] = VoteTally(vote, count, counts[VoteChoice.ABSTAIN], not_counted)
    return result


def close_vote(actor: Official, vote: Vote, *, now: dt.datetime | None = None) -> Vote:
    """The secretariat closes the vote: the outcome is fixed by the rule on the counted votes."""
    _secretary(actor)
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(vote.item.meeting_id, in_session=True)
        vote = Vote.objects.get(pk=vote.pk)
        act = floor_acts.check_vote(vote, "close")
        vote.status = act.target
        tally = tallies_for(meeting, [vote])[vote.pk]
        vote.outcome = Outcome.ADOPTED if tally.adopted else Outcome.NOT_ADOPTED
        vote.closed_at = now
        vote.save(update_fields=["status", "outcome", "closed_at"])
        _record(
            actor,
            "vote.close",
            meeting,
            vote=vote.pk,
            outcome=vote.outcome,
            agree=tally.count.agree,
            disagree=tally.count.disagree,
            abstain=tally.abstain,
            not_counted=tally.not_counted,
        )
    return vote
