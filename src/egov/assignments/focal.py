"""The focal point's page (đầu mối theo dõi, ``/assignments/focal/``): one organisation's tasks
as it leads them, counted by their computed category, with the ones overdue and the ones falling
due within five working days (the reminders' horizon) listed with the person responsible, by
name. The focal point lands on their organisation; any official who reads the organisation's
tasks may open it; its leaders (``assignments.manage`` there) name the focal point on it. Plain
forms and links: no JavaScript needed."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.accounts.models import Official
from egov.assignments import scopes
from egov.assignments import status as task_status
from egov.assignments.models import Assignment, FocalPoint, Stage
from egov.assignments.services.focal_points import set_focal_point
from egov.assignments.services.reminders import LOOKAHEAD_DAYS
from egov.core.calendar import WorkingCalendar
from egov.core.error_pages import PageNotFound
from egov.core.models import Organisation
from egov.core.web import error_messages

SOON_WORKING_DAYS = 5
LISTED = 100


def soon_until(today: date, organisation) -> date:
    """The day five working days of the organisation's calendar after today."""
    is_working_day = WorkingCalendar.for_organisation(organisation).is_working_day
    day, left = today, SOON_WORKING_DAYS
    while left and day < today + timedelta(days=LOOKAHEAD_DAYS):
        day += timedelta(days=1)
        left -= bool(is_working_day(day))
    return day


def _organisation(request) -> Organisation:
    """The organisation asked for, else the one this official is the focal point of, else their
    own; 404 for one whose tasks the official does not read (ids are sequential)."""
    asked = request.GET.get("organisation") or request.POST.get("organisation") or ""
    if asked.isdigit():
        org = Organisation.objects.filter(pk=int(asked)).first()
    else:
        focal = FocalPoint.objects.filter(official__user=request.user).select_related(
            "organisation"
        )
        own = Official.objects.filter(user=request.user).select_related("organisation").first()
        first = focal.first()
        org = first.organisation if first else (own.organisation if own else None)
    if org is None or not policy.can(request, scopes.READ, org):
        raise PageNotFound(_("No organisation you may see was found."))
    return org


def _listed(qs):
    return list(qs.select_related("responsible__user", "lead").order_by("due_on", "pk")[:LISTED])


@official_required
@require_http_methods(["GET", "POST"])
def focal_page(request):
    org = _organisation(request)
    may_name = policy.can(request, scopes.MANAGE, org)
    errors, status = [], 200
    if request.method == "POST":
        if not may_name:
            raise PermissionDenied(_("Only the organisation's leaders can name its focal point."))
        official = Official.objects.filter(pk=request.POST.get("official") or 0).first()
        try:
            if official is None:
                raise ValidationError({"official": [_("Choose an official.")]})
            set_focal_point(request, org, official)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
        else:
            messages.success(request, _("The focal point is named."))
            return redirect(f"{request.path}?organisation={org.pk}")
    today = timezone.localdate()
    led = Assignment.objects.filter(lead=org)
    counts = led.aggregate(
        **{
            c.value: Count("pk", filter=task_status.category_q(c, today))
            for c in task_status.CATEGORIES
        }
    )
    until = soon_until(today, org)
    live = led.filter(stage__in=(Stage.OPEN, Stage.SUBMITTED))
    overdue = _listed(live.filter(task_status.category_q(task_status.Category.OVERDUE, today)))
    soon = _listed(
        live.filter(task_status.counted_q(), completed_on__isnull=True).filter(
            due_on__gte=today, due_on__lte=until
        )
    )
    focal = FocalPoint.objects.filter(organisation=org).select_related("official__user").first()
    officials = (
        list(
            Official.objects.filter(organisation=org)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "pk")
        )
        if may_name
        else []
    )
    return render(
        request,
        "assignments/focal.html",
        {
            "organisation": org,
            "focal": focal,
            "counts": [(c, counts[c.value]) for c in task_status.CATEGORIES],
            "total": sum(counts.values()),
            "overdue": overdue,
            "soon": soon,
            "until": until,
            "listed": LISTED,
            "may_name": may_name,
            "officials": officials,
            "errors": errors,
            "today": today,
        },
        status=status,
    )
