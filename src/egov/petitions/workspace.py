"""The petitions' panel of the official's workspace: the petitions of my organisations still
open, at risk and overdue (one aggregate query), each linking to the queue filtered the same way."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts import policy
from egov.petitions import deadlines, scopes
from egov.petitions.models import CLOSED, Petition


def build(request) -> dict | None:
    held = policy.scopes_of(request.user)
    if "*" not in held and scopes.READ not in held:
        return None
    now = timezone.now()
    counts = (
        policy.scope_queryset(request, scopes.READ, Petition.objects.all())
        .exclude(status__in=CLOSED)
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=deadlines.overdue_q(now)),
            at_risk=Count("pk", filter=deadlines.at_risk_q(now)),
            waiting=Count("pk", filter=Q(paused_at__isnull=False)),
        )
    )
    url = reverse("petitions:queue")
    cards = [
        (_("Petitions overdue"), counts["overdue"], f"{url}?due=overdue", "alert"),
        (_("Petitions due soon"), counts["at_risk"], f"{url}?due=soon", "warning"),
        (_("Waiting for a supplement"), counts["waiting"], f"{url}?status=5", ""),
        (_("Open petitions"), counts["open"], url, ""),
    ]
    return {
        "cards": [
            {"label": label, "count": n, "url": link, "tone": tone if n else ""}
            for label, n, link, tone in cards
        ]
    }
