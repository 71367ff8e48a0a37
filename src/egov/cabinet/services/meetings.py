"""The meeting's acts (issue 19, §2): schedule, mark, attend, conclude, close.

Every act is one transaction with one audit row (egov.cabinet.meeting_acts declares them); bad
input is a ValidationError in Vietnamese and nothing is written. A conclusion point that
assigns work creates its task through egov.assignments in the conclusion's transaction: a task
refused there (no lead, a deadline before the meeting) refuses the whole conclusion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Official
from egov.assignments.models import Origin, SourceType
from egov.assignments.services import SourceDocument, create_assignment
from egov.cabinet import access, meeting_acts
from egov.cabinet.models import (
    AgendaItem,
    Attendance,
    Conclusion,
    ConclusionTask,
    ItemDocument,
    ItemMark,
    Mark,
    Meeting,
    MeetingKind,
    Member,
    Participant,
)
from egov.cabinet.services.ballots import DocumentData, _check_documents, _secretary
from egov.core.models import Organisation
from egov.core.services import audit

MAX_ITEMS = 40


@dataclass(frozen=True)
class ItemData:
    title: str
    presenter: str
    starts_at: dt.time
    ends_at: dt.time
    documents: list[DocumentData] = field(default_factory=list)


@dataclass(frozen=True)
class MeetingData:
    title: str
    kind: str
    date: dt.date
    items: list[ItemData]
    adopt_without_debate: bool = True
    substitutes_count: bool = False


@dataclass(frozen=True)
class TaskData:
    """A point of a conclusion that assigns work."""

    content: str
    lead: Organisation | None
    deadline: dt.date | None
    coordinators: list[Organisation] = field(default_factory=list)


def _check_items(items: list[ItemData]):
    if not items:
        raise ValidationError(_("A meeting needs at least one agenda item."), code="items")
    if len(items) > MAX_ITEMS:
        raise ValidationError(_("A meeting has at most 40 agenda items."), code="items")
    checked = []
    for item in items:
        if not item.title.strip() or not item.presenter.strip():
            raise ValidationError(
                _("Every agenda item needs a title and a presenter."), code="item"
            )
        if item.ends_at <= item.starts_at:
            raise ValidationError(
                _("The time slot of “%(title)s” ends before it starts.") % {"title": item.title},
                code="slot",
            )
        checked.append((item, _check_documents(item.documents, model=ItemDocument)))
    return checked


def schedule(actor: Official, data: MeetingData, *, now: dt.datetime | None = None) -> Meeting:
    """The secretariat schedules a meeting with its agenda; every member in office on its
    date takes part."""
    _secretary(actor)
    now = now or timezone.now()
    if data.kind not in MeetingKind.values:
        raise ValidationError(_("Choose the kind of meeting."), code="kind")
    if not data.title.strip():
        raise ValidationError(_("A meeting needs a title."), code="title")
    if data.date < timezone.localdate(now):
        raise ValidationError(_("The meeting's date has already passed."), code="date")
    items = _check_items(data.items)
    in_office = list(Member.objects.at(data.date))
    if not in_office:
        raise ValidationError(
            _("No member of the Government is in office on that date."), code="members"
        )
    with transaction.atomic():
        meeting_acts.check_transition(Meeting(), "schedule")
        number = (Meeting.objects.aggregate(m=Max("number"))["m"] or 0) + 1
        meeting = Meeting.objects.create(
            number=number,
            title=data.title.strip()[:500],
            kind=data.kind,
            date=data.date,
            members_count=len(in_office),
            adopt_without_debate=data.adopt_without_debate,
            substitutes_count=data.substitutes_count,
            scheduled_by=actor,
            scheduled_at=now,
        )
        Participant.objects.bulk_create(Participant(meeting=meeting, member=m) for m in in_office)
        for position, (item, documents) in enumerate(items, 1):
            row = AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=item.title.strip()[:500],
                presenter=item.presenter.strip()[:255],
                starts_at=item.starts_at,
                ends_at=item.ends_at,
            )
            for doc in documents:
                doc.item = row
            ItemDocument.objects.bulk_create(documents)
        audit.record(
            actor=actor.user,
            action="cabinet.meeting.schedule",
            obj=meeting,
            summary={"number": number, "items": len(items), "n": len(in_office)},
        )
    return meeting


def _member_for(meeting: Meeting, official: Official | None, member: Member | None) -> Member:
    """The member ``official`` marks for: themselves, or the member they assist."""
    invited = Member.objects.filter(pk__in=meeting.participants.values("member_id"))
    if member is None:
        member = invited.filter(official=official).first()
    elif not access.assisted(official).filter(pk=member.pk).exists():
        member = None
    if member is None or not invited.filter(pk=member.pk).exists():
        raise ValidationError(_("You do not take part in this meeting."), code="member")
    return member


def mark(
    actor: Official,
    item: AgendaItem,
    choice: str,
    comment: str = "",
    *,
    member: Member | None = None,
    now: dt.datetime | None = None,
) -> ItemMark:
    """A member (or their assistant, for ``member``) marks an item before the meeting opens;
    a new mark replaces the previous one."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if choice not in Mark.values:
        raise ValidationError(_("Choose no objection, wants to speak or objects."), code="mark")
    if choice == Mark.OBJECTS and not comment:
        raise ValidationError(_("Say why you object in a comment."), code="comment")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        meeting_acts.check_transition(meeting, "mark")
        member = _member_for(meeting, actor, member)
        row, _created = ItemMark.objects.update_or_create(
            item=item,
            member=member,
            defaults={"mark": choice, "comment": comment, "marked_by": actor, "marked_at": now},
        )
        audit.record(
            actor=actor.user,
            action="cabinet.meeting.mark",
            obj=meeting,
            summary={"item": item.position, "member": member.pk, "mark": choice},
        )
    return row


@dataclass(frozen=True)
class ItemMarks:
    no_objection: int
    wants_to_speak: int
    objects: int
    # Adopted without debate if the meeting allows it: nobody objects and more than half of
    # ALL members (N) marked "no objection", their explicit agreement.
    adoptable: bool


def _item_marks(meeting: Meeting, counts: dict) -> ItemMarks:
    agree = counts.get(Mark.NO_OBJECTION, 0)
    objects = counts.get(Mark.OBJECTS, 0)
    adoptable = meeting.adopt_without_debate and objects == 0 and 2 * agree > meeting.members_count
    return ItemMarks(agree, counts.get(Mark.WANTS_TO_SPEAK, 0), objects, adoptable)


def marks_of(item: AgendaItem) -> ItemMarks:
    counts = dict(item.marks.values_list("mark").annotate(n=Count("id")))
    return _item_marks(item.meeting, counts)


def marks_for(meeting: Meeting) -> dict[int, ItemMarks]:
    """Every item's marks in one query (the meeting page and the API read up to 40 items)."""
    counts: dict[int, dict] = {}
    rows = (
        ItemMark.objects.filter(item__meeting=meeting)
        .values_list("item_id", "mark")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item_id, choice, n in rows:
        counts.setdefault(item_id, {})[choice] = n
    item_ids = meeting.items.values_list("pk", flat=True)
    return {pk: _item_marks(meeting, counts.get(pk, {})) for pk in item_ids}


@dataclass(frozen=True)
class Quorum:
    n: int
    present: int
    substitutes: int
    counted: int
    needed: int
    reached: bool


def quorum(meeting: Meeting) -> Quorum:
    """At least two thirds of all N members (Law on Government Organisation); substitutes
    count only where the meeting says so."""
    rows = meeting.attendance.aggregate(
        present=Count("id"), substitutes=Count("id", filter=Q(substitute__isnull=False))
    )
    present, substitutes = rows["present"], rows["substitutes"]
    counted = present if meeting.substitutes_count else present - substitutes
    n = meeting.members_count
    needed = -(-2 * n // 3)  # ceil(2N/3)
    return Quorum(n, present, substitutes, counted, needed, counted >= needed)


def attend(
    actor: Official,
    meeting: Meeting,
    member: Member,
    *,
    substitute: Official | None = None,
    now: dt.datetime | None = None,
) -> Attendance:
    """The secretariat records a member present, or represented by ``substitute``; the first
    record opens the session and settles the items adopted without debate."""
    _secretary(actor)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
            act = meeting_acts.check_transition(meeting, "attend")
            if not meeting.participants.filter(member=member).exists():
                raise ValidationError(
                    _("%(member)s does not take part in this meeting.") % {"member": member},
                    code="member",
                )
            if substitute is not None and substitute.pk == member.official_id:
                substitute = None
            row = Attendance.objects.create(
                meeting=meeting, member=member, substitute=substitute, recorded_at=now
            )
            if meeting.status != act.target:
                meeting.status = act.target
                meeting.save(update_fields=["status"])
                adopted = [pk for pk, m in marks_for(meeting).items() if m.adoptable]
                AgendaItem.objects.filter(pk__in=adopted).update(adopted_without_debate=True)
            audit.record(
                actor=actor.user,
                action="cabinet.meeting.attend",
                obj=meeting,
                summary={"member": member.pk, "substitute": getattr(substitute, "pk", None)},
            )
    except IntegrityError:
        raise ValidationError(
            _("%(member)s is already recorded as present.") % {"member": member}, code="once"
        ) from None
    return row


def _check_tasks(meeting: Meeting, tasks: list[TaskData]) -> None:
    for task in tasks:
        if task.lead is None:
            raise ValidationError(
                _("A point that assigns work needs its lead organisation."), code="lead"
            )
        if not (task.content or "").strip():
            raise ValidationError(_("Say what the assigned work is."), code="content")
        if task.deadline is None or task.deadline < meeting.date:
            raise ValidationError(
                _("The deadline of an assigned task must be on or after the meeting's date."),
                code="deadline",
            )


def conclude(
    actor: Official,
    item: AgendaItem,
    text: str,
    tasks: list[TaskData] = (),
    *,
    now: dt.datetime | None = None,
) -> Conclusion:
    """The secretariat writes an item's conclusion; each point assigning work becomes a task
    (egov.assignments, origin: an e-Cabinet conclusion) in the same transaction."""
    _secretary(actor)
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the conclusion."), code="text")
    tasks = list(tasks)
    meeting = item.meeting
    _check_tasks(meeting, tasks)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
            meeting_acts.check_transition(meeting, "conclude")
            conclusion = Conclusion.objects.create(
                item=item, text=text, written_by=actor, written_at=now
            )
            source = SourceDocument(
                number=f"{meeting.number}/BB-CP",
                date=meeting.date,
                type=SourceType.MINUTES,
                signer=actor.name,
            )
            for task in tasks:
                assignment = create_assignment(
                    actor.user,
                    document=source,
                    content=task.content,
                    lead=task.lead,
                    coordinators=task.coordinators,
                    deadline=task.deadline,
                    source=Origin.CABINET,
                    source_ref=f"meeting-{meeting.number}/item-{item.position}",
                    on=timezone.localdate(now),
                )
                ConclusionTask.objects.create(conclusion=conclusion, assignment=assignment)
            audit.record(
                actor=actor.user,
                action="cabinet.meeting.conclude",
                obj=meeting,
                summary={"item": item.position, "tasks": len(tasks)},
            )
    except IntegrityError:
        raise ValidationError(_("This item already has its conclusion."), code="once") from None
    return conclusion


def close(actor: Official, meeting: Meeting, *, now: dt.datetime | None = None) -> Meeting:
    _secretary(actor)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        act = meeting_acts.check_transition(meeting, "close")
        meeting.status = act.target
        meeting.save(update_fields=["status"])
        audit.record(
            actor=actor.user,
            action="cabinet.meeting.close",
            obj=meeting,
            summary={"concluded": Conclusion.objects.filter(item__meeting=meeting).count()},
        )
    return meeting


__all__ = [
    "ItemData",
    "MeetingData",
    "TaskData",
    "attend",
    "close",
    "conclude",
    "mark",
    "marks_for",
    "marks_of",
    "quorum",
    "schedule",
]
