"""The e-Cabinet's meeting pages: the meetings one takes part in; a meeting with its agenda, the
member's marks (a form per item), the live attendance and quorum (htmx polls the fragment; a
reload without JavaScript) and, for the secretariat, attendance and conclusion forms. Every
form is a plain post that works without JavaScript; refused input comes back as a message."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.accounts.models import Official
from egov.cabinet import access
from egov.cabinet.models import ItemMark, Mark, Meeting, MeetingStatus, Member
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
    raise ValidationError(_("Unknown action."))


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
        "attendance": meeting.attendance.select_related(
            "member__official__user", "substitute__user"
        ),
    }
    if context["secretary"]:
        present = meeting.attendance.values("member_id")
        context["absent"] = meeting.members.exclude(pk__in=present).select_related("official__user")
        context["organisations"] = Organisation.objects.filter(
            level__in=["central", "province"]
        ).order_by("name")
    return render(request, "cabinet/meeting.html", context)


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
