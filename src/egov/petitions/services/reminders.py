"""Reminders of petitions at risk or overdue, through the outbox (one per petition, flag and
deadline: running it again sends nothing new). Run by ``egov petitions-remind`` (cron, or the
worker's schedule)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from egov.petitions import deadlines
from egov.petitions.models import Petition
from egov.petitions.services.notifications import queue_reminder


def remind(now=None, *, limit: int = 5000) -> int:
    """Queue the reminders due now; returns how many petitions were flagged."""
    now = now or timezone.now()
    flagged = (
        Petition.objects.filter(deadlines.at_risk_q(now) | deadlines.overdue_q(now))
        .select_related("organisation")
        .order_by("due_at")[:limit]
    )
    count = 0
    with transaction.atomic():
        for petition in flagged:
            flag = deadlines.flag(petition, now)
            if flag:
                queue_reminder(petition, flag)
                count += 1
    return count
