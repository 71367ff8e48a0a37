"""The document exchange's panel of the official's workspace (egov.accounts.workspace): the
inbox's documents not yet acknowledged (urgent ones apart) and the outbox's documents registered
but not sent, or whose transport failed. One query per mailbox, whatever the number of documents.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from egov.accounts import policy
from egov.exchange import scopes
from egov.exchange.models import Delivery, OfficialDocument, Package, TransportState


def build(request) -> dict | None:
    held = policy.scopes_of(request.user)
    everything = "*" in held
    cards = []
    if everything or scopes.RECEIVE in held:
        inbox = policy.scope_queryset(request, scopes.RECEIVE, Delivery.objects.all()).aggregate(
            unread=Count("pk", filter=Q(acknowledged_at__isnull=True)),
            urgent=Count("pk", filter=Q(acknowledged_at__isnull=True, package__priority__gt=0)),
        )
        url = reverse("exchange:inbox")
        cards += [
            (_("Urgent, not acknowledged"), inbox["urgent"], url, "alert"),
            (_("Incoming, not acknowledged"), inbox["unread"], url, ""),
        ]
    if everything or scopes.SEND in held:
        registered = policy.scope_queryset(
            request,
            scopes.SEND,
            OfficialDocument.objects.filter(state=OfficialDocument.State.REGISTERED),
        ).count()
        failed = (
            policy.scope_queryset(request, scopes.SEND, Package.objects.all())
            .filter(deliveries__transport_state=TransportState.FAILED)
            .distinct()
            .count()
        )
        url = reverse("exchange:outbox")
        cards += [
            (_("Registered, not sent yet"), registered, url, "warning"),
            (_("Sending failed"), failed, url, "alert"),
        ]
    if not cards:
        return None
    return {
        "cards": [
            {"label": label, "count": n, "url": url, "tone": tone if n else ""}
            for label, n, url, tone in cards
        ]
    }
