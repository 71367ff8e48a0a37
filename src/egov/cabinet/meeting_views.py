"""The e-Cabinet's meeting pages: the meetings one takes part in; a meeting with its agenda, the
member's marks (a form per item), the live attendance and quorum (htmx polls the fragment; a
reload without JavaScript) and, for the secretariat, attendance and conclusion forms. Every
form is a plain post that works without JavaScript; refused input comes back as a message."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.accounts.models import Official
from egov.cabinet import access
from egov.cabinet.models import (
    ItemMark,
    Mark,
    Meeting,
    MeetingStatus,
    Member,
    Speaker,
    Vote,
    VoteCast,
    VoteChoice,
)
from egov.cabinet.services import floor, minutes
from egov.cabinet.services import meetings as services
from egov.core.models import Organisation


def _meeting(request, number) -> Meeting:
    meeting = access.visible_meetings(request, Meeting.objects.filter(number=number)).first()
    if meeting is None:
        raise Http404
    return meeting


@login_required
def meetings(request):
    rows = access.visible_meetings(request).order_by("-date", "-number")[:100]
    return render(request, "cabinet/meetings.html", {"meetings": rows})


def _marking_for(request, meeting) -> list[Member]:
    """The members the caller marks for: themselves and those they assist, if invited."""
    if meeting.status != MeetingStatus.SCHEDULED:
        return []
    found = access.roles(request)
    return list(
        meeting.members.filter(pk__in=found.members)
        .select_related("official__user")
        .order_by("rank")
    )


def _post(request, meeting):
    official = access.official_of(request.user)
    what = request.POST.get("act", "")
    items = {str(i.position): i for i in meeting.items.all()}
    item = items.get(request.POST.get("item", ""))
    if what == "mark":
        member = next(
            (m for m in _marking_for(request, meeting) if str(m.pk) == request.POST.get("member")),
            None,
        )
        if item is None or member is None:
            raise ValidationError(_("You do not take part in this meeting."))
        services.mark(
            official,
            item,
            request.POST.get("mark", ""),
            request.POST.get("comment", ""),
            member=member if member.official_id != official.pk else None,
        )
        return _("Your mark was recorded.")
    if what == "attend":
        member = meeting.members.filter(pk=request.POST.get("member") or None).first()
        if member is None:
            raise ValidationError(_("Choose a member."))
        substitute = None
        name = request.POST.get("substitute", "").strip()
        if name:
            substitute = Official.objects.filter(user__username=name).first()
            if substitute is None:
                raise ValidationError(_("No official has that user name."))
        services.attend(official, meeting, member, substitute=substitute)
        return _("The attendance was recorded.")
    if what == "conclude":
        if item is None:
            raise ValidationError(_("No agenda item has that number."))
        tasks = []
        content = request.POST.get("task_content", "").strip()
        if content:
            lead = Organisation.objects.filter(pk=request.POST.get("task_lead") or None).first()
            try:
                deadline = dt.date.fromisoformat(request.POST.get("task_deadline", ""))
            except ValueError:
                deadline = None
            tasks.append(services.TaskData(content, lead, deadline))
        services.conclude(official, item, request.POST.get("text", ""), tasks)
        return _("The conclusion was recorded.")
    if what == "close":
        services.close(official, meeting)
        return _("The meeting was closed.")
    if what == "minutes":
        chosen = request.POST.getlist("recipients")
        recipients = list(Organisation.objects.filter(pk__in=[c for c in chosen if c.isdigit()]))
        doc = minutes.send(official, meeting, recipients)
        return _("The signed minutes no. %(number)s were sent through the document exchange.") % {
            "number": doc.number_notation
        }
    if what.startswith(("speak", "vote_")):
        return _post_floor(request, meeting, official, what, item)
    raise ValidationError(_("Unknown action."))


def _post_floor(request, meeting, official, what, item):
    """The floor's acts: speakers' lists and live votes (egov.cabinet.services.floor)."""
    if what == "speak":
        member = next(
            (m for m in _speaking_for(request, meeting) if str(m.pk) == request.POST.get("member")),
            None,
        )
        if item is None or member is None:
            raise ValidationError(_("You do not take part in this meeting."))
        floor.request_to_speak(official, item, member=member)
        return _("The request to speak was recorded.")
    if what.startswith("speaker_"):
        speaker = Speaker.objects.filter(
            pk=request.POST.get("speaker") or None, item__meeting=meeting
        ).first()
        if speaker is None:
            raise ValidationError(_("No such request to speak."))
        if what == "speaker_withdraw":
            floor.withdraw(official, speaker)
            return _("The request to speak was withdrawn.")
        acts = {"speaker_up": floor.move, "speaker_start": floor.start, "speaker_stop": floor.stop}
        if what not in acts:
            raise ValidationError(_("Unknown action."))
        acts[what](official, speaker)
        return _("The speakers' list was updated.")
    if what == "vote_open":
        if item is None:
            raise ValidationError(_("No agenda item has that number."))
        floor.open_vote(official, item, request.POST.get("question", ""))
        return _("The vote is open.")
    vote = Vote.objects.filter(pk=request.POST.get("vote") or None, item__meeting=meeting).first()
    if vote is None:
        raise ValidationError(_("No such vote."))
    if what == "vote_cast":
        member = None
        if request.POST.get("member"):
            member = meeting.members.filter(pk=request.POST.get("member")).first()
            if member is None:
                raise ValidationError(_("Choose a member."))
        floor.cast_vote(official, vote, request.POST.get("choice", ""), member=member)
        return _("The vote was recorded.")
    if what == "vote_close":
        floor.close_vote(official, vote)
        return _("The vote was closed.")
    raise ValidationError(_("Unknown action."))


def _speaking_for(request, meeting) -> list[Member]:
    """The members the caller may ask the floor for: themselves and those they assist."""
    if meeting.status == MeetingStatus.CLOSED:
        return []
    found = access.roles(request)
    return list(
        meeting.members.filter(pk__in=found.members)
        .select_related("official__user")
        .order_by("rank")
    )


def floor_context(request, meeting) -> dict:
    """The speakers' lists and the live votes of every item: a fixed number of queries."""
    found = access.roles(request)
    speakers = floor.speakers_for(meeting)
    votes = list(Vote.objects.filter(item__meeting=meeting).order_by("id"))
    tallies = floor.tallies_for(meeting, votes)
    attendance = list(
        meeting.attendance.select_related("member__official__user", "substitute__user")
    )
    mine = set(found.members)
    in_person = {a.member_id for a in attendance if a.substitute_id is None and a.member_id in mine}
    own = {
        a.member_id
        for a in attendance
        if a.member.official_id == getattr(found.official, "pk", None)
    }
    in_person &= own
    voted = set()
    if in_person:
        voted = set(
            VoteCast.objects.filter(vote__in=votes, member__in=in_person).values_list(
                "vote_id", flat=True
            )
        )
    can_vote = {v.pk for v in votes if in_person and v.pk not in voted}
    rows = []
    for item in meeting.items.all():
        listed = speakers.get(item.pk, [])
        for s in listed:
            s.mine = s.member_id in mine
        rows.append(
            {
                "item": item,
                "speakers": listed,
                "votes": [tallies[v.pk] for v in votes if v.item_id == item.pk],
            }
        )
    return {
        "floor": rows,
        "speak_for": _speaking_for(request, meeting),
        "can_vote": can_vote,
        "vote_choices": VoteChoice.choices,
        "official_id": getattr(found.official, "pk", None),
        "open_floor": meeting.status != MeetingStatus.CLOSED,
        "in_session": meeting.status == MeetingStatus.IN_SESSION,
        "secretary": found.secretary and meeting.status != MeetingStatus.CLOSED,
        "attendance": attendance,
    }


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, number):
    meeting = _meeting(request, number)
    if request.method == "POST":
        try:
            done = _post(request, meeting)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", None) or [str(exc)])
            messages.error(request, text)
            meeting_page = render_meeting(request, meeting)
            meeting_page.status_code = 400
            return meeting_page
        messages.success(request, done)
        return redirect("cabinet:meeting", number)
    return render_meeting(request, meeting)


def render_meeting(request, meeting):
    marking_for = _marking_for(request, meeting)
    own = {}
    for row in ItemMark.objects.filter(item__meeting=meeting, member__in=marking_for):
        own[(row.item_id, row.member_id)] = row
    marks = services.marks_for(meeting)  # one query for every item
    items = []
    for item in meeting.items.select_related("conclusion").prefetch_related("documents"):
        forms = [(m, own.get((item.pk, m.pk))) for m in marking_for]
        items.append(
            {
                "item": item,
                "marks": marks[item.pk],
                "forms": forms,
                "conclusion": getattr(item, "conclusion", None),
            }
        )
    secretary = access.roles(request).secretary
    context = {
        "meeting": meeting,
        "items": items,
        "mark_choices": Mark.choices,
        "secretary": secretary and meeting.status != MeetingStatus.CLOSED,
        "quorum": services.quorum(meeting),
    }
    context.update(floor_context(request, meeting))
    context["minutes_document"] = meeting.minutes_document
    context["minutes_form"] = secretary and meeting.status == MeetingStatus.CLOSED
    if context["secretary"] or context["minutes_form"]:
        present = meeting.attendance.values("member_id")
        context["absent"] = meeting.members.exclude(pk__in=present).select_related("official__user")
        context["organisations"] = Organisation.objects.filter(
            level__in=["central", "province"]
        ).order_by("name")
    return render(request, "cabinet/meeting.html", context)


@login_required
def minutes_pdf(request, number):
    """The signed minutes as sent through the exchange, to those who take part."""
    meeting = _meeting(request, number)
    doc = meeting.minutes_document
    if doc is None:
        raise Http404
    with default_storage.open(doc.pdf, "rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-{meeting.number}.pdf"'
    return response


@login_required
def quorum_fragment(request, number):
    meeting = _meeting(request, number)
    return render(
        request,
        "cabinet/_quorum.html",
        {
            "meeting": meeting,
            "quorum": services.quorum(meeting),
            "attendance": meeting.attendance.select_related(
                "member__official__user", "substitute__user"
            ),
        },
    )


@login_required
def floor_fragment(request, number):
    meeting = _meeting(request, number)
    return render(
        request, "cabinet/_floor.html", {"meeting": meeting, **floor_context(request, meeting)}
    )
