"""The one-stop shop's panel of the official's workspace (egov.accounts.workspace).

Counts per queue in one query, and the dossiers overdue or due within a working day (at most
``AT_RISK_SHOWN``, the most pressing first) in another, whatever the number of dossiers. Each
count links to the queue page filtered the same way.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts import policy
from egov.dossiers import queues, scopes
from egov.dossiers.access import visible_dossiers
from egov.dossiers.models import OPEN_STATUSES, Dossier, Status

AT_RISK_SHOWN = 10


def build(request) -> dict | None:
    user = request.user
    if not (policy.is_superuser(user) or scopes.READ in policy.scopes_of(user)):
        return None
    now = timezone.now()
    horizon = queues.soon_horizon(now)
    running = Q(paused_at__isnull=True)
    open_ = visible_dossiers(user, queryset=Dossier.objects.filter(status__in=OPEN_STATUSES))
    counts = open_.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=running & Q(due_at__lt=now)),
        soon=Count("pk", filter=running & Q(due_at__gte=now, due_at__lt=horizon)),
        mine=Count(
            "pk",
            filter=Q(assignments__official__user=user, assignments__ended_at__isnull=True),
            distinct=True,
        ),
        my_step=Count("pk", filter=queues.at_my_step(user), distinct=True),
        new=Count("pk", filter=Q(status=Status.NEW)),
        supplement=Count("pk", filter=Q(status=Status.SUPPLEMENT_REQUESTED)),
    )
    queue = reverse("dossiers:queue")
    cards = [
        (_("Overdue"), counts["overdue"], f"{queue}?due=overdue", "alert"),
        (_("Due within a working day"), counts["soon"], f"{queue}?due=soon", "warning"),
        (_("At a step of my role"), counts["my_step"], f"{queue}?role=mine", ""),
        (_("Assigned to me"), counts["mine"], f"{queue}?mine=1", ""),
        (_("New, waiting to be received"), counts["new"], f"{queue}?status={Status.NEW}", ""),
        (
            _("Supplement requested"),
            counts["supplement"],
            f"{queue}?status={Status.SUPPLEMENT_REQUESTED}",
            "",
        ),
        (_("All open dossiers"), counts["total"], queue, ""),
    ]
    pressing = list(
        open_.filter(running, due_at__lt=horizon)
        .select_related("procedure_version", "organisation")
        .order_by("due_at", "pk")[:AT_RISK_SHOWN]
    )
    return {
        "cards": [
            {"label": label, "count": n, "url": url, "tone": tone if n else ""}
            for label, n, url, tone in cards
        ],
        "pressing": pressing,
        "now": now,
        "more": counts["overdue"] + counts["soon"] - len(pressing),
    }
