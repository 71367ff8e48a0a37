"""Deliveries: a package in a recipient's mailbox, pushed to its webhook or pulled.

A recipient (or a provincial hub pulling for it) takes a package off its pending list with
:func:`acknowledge` (delivered, business status 01), or refuses it (:func:`refuse`: kept,
audited and final); a sender's recall waits in the same mailbox until
:func:`acknowledge_recall`. :func:`push` adds the core outbox row of a webhook push, sent after
commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.models import OutboxMessage
from egov.core.services import audit, outbox
from egov.exchange.models import (
    Delivery,
    Mailbox,
    StatusCode,
    StatusMessage,
    TransportState,
)
from egov.exchange.services.errors import HubError


def push(
    delivery: Delivery, kind: str, key: str, *, status_id: int | None = None
) -> OutboxMessage | None:
    """The outbox row (kind ``exchange.<kind>``: package, status or recall) of a push to the
    owner's webhook, if it has one; sent after commit."""
    # A status goes to the package's sender; a package or a recall to the recipient.
    owner = delivery.package.sender if kind == "status" else delivery.recipient
    try:
        url = owner.mailbox.webhook_url
    except Mailbox.DoesNotExist:
        url = ""
    if not url:
        return None
    payload = {"delivery": delivery.pk, "package": delivery.package_id, "url": url}
    if status_id is not None:
        payload["status"] = status_id
    return outbox.add(f"exchange.{kind}", payload, key=key)


@transaction.atomic
def acknowledge(delivery: Delivery, *, actor) -> Delivery:
    """The recipient took the package from its mailbox: delivered, business status 01."""
    policy.check(actor, "documents.receive", delivery)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.acknowledged_at is None and refused(delivery):
        # The recipient's side refused it (final, the sender was told why): not taken later.
        raise HubError(
            "already_refused",
            _("This delivery was refused by the recipient's hub: %(error)s")
            % {"error": delivery.transport_error},
            status=409,
        )
    if delivery.acknowledged_at is None:
        mark_delivered(delivery, actor)
    return delivery


REFUSED_BY_RECIPIENT = "refused by the recipient's hub: "


def refused(delivery: Delivery) -> bool:
    """Did the recipient's side refuse the delivery (:func:`refuse`)? A push that failed
    leaves the delivery failed too, but the recipient may still pull it."""
    return delivery.transport_state == TransportState.FAILED and (
        delivery.transport_error.startswith(REFUSED_BY_RECIPIENT)
    )


def mark_delivered(delivery: Delivery, actor) -> None:
    now = timezone.now()
    delivery.transport_state = TransportState.DELIVERED
    delivery.delivered_at = delivery.delivered_at or now
    delivery.acknowledged_at = now
    if not delivery.status:
        delivery.status = StatusCode.ARRIVED
    delivery.save(update_fields=["transport_state", "delivered_at", "acknowledged_at", "status"])
    audit.record(
        actor=policy.actor_of(actor),
        action="exchange.delivered",
        obj=delivery,
        organisation=delivery.recipient_id,
        summary={"document_id": delivery.package.document_id},
    )


def refusal_text(code: str, reason: str = "") -> str:
    return f"{code}: {reason}".strip().rstrip(":")[:2000]


@transaction.atomic
def refuse(delivery: Delivery, *, code: str, reason: str = "", actor) -> Delivery:
    """The recipient's side pulled the package and refused it (a provincial hub whose checks
    refused it, e.g. ``not_inward``): the delivery's transport fails with the refusal, it leaves
    the pending list for good and the sender sees why (``transport_error``)."""
    policy.check(actor, "documents.receive", delivery)
    delivery = Delivery.objects.select_for_update().select_related("package").get(pk=delivery.pk)
    if delivery.acknowledged_at is not None:
        raise HubError(
            "already_acknowledged",
            _("This delivery was already acknowledged."),
            status=409,
        )
    if refused(delivery):
        return delivery  # refused already
    delivery.transport_state = TransportState.FAILED
    delivery.transport_error = REFUSED_BY_RECIPIENT + refusal_text(code, reason)
    delivery.save(update_fields=["transport_state", "transport_error"])
    audit.record(
        actor=policy.actor_of(actor),
        action="exchange.delivery_refused",
        obj=delivery,
        organisation=delivery.recipient_id,
        summary={
            "document_id": delivery.package.document_id,
            "code": code,
            "reason": reason[:500],
        },
    )
    return delivery


def recall_message(delivery: Delivery) -> StatusMessage | None:
    """The sender's recall (13) of the delivery's package, if any."""
    if not delivery.recall_status:
        return None
    return (
        StatusMessage.objects.filter(package_id=delivery.package_id, code=StatusCode.RECALL)
        .order_by("-id")
        .first()
    )


@transaction.atomic
def acknowledge_recall(delivery: Delivery, *, actor, refused: str = "", reason: str = ""):
    """The recipient's side took the sender's recall from its mailbox (a provincial hub passes
    it on to its recipient), or refused it (``refused``: the code; kept in ``recall_error``):
    either way it leaves the pending recalls."""
    policy.check(actor, "documents.receive", delivery)
    delivery = Delivery.objects.select_for_update().select_related("package").get(pk=delivery.pk)
    if not delivery.recall_status:
        raise HubError("no_recall", _("This document was not recalled."), status=404)
    if delivery.recall_pulled_at is None:
        delivery.recall_pulled_at = timezone.now()
        delivery.recall_error = refusal_text(refused, reason) if refused else ""
        delivery.save(update_fields=["recall_pulled_at", "recall_error"])
        summary = {"document_id": delivery.package.document_id}
        if refused:
            summary.update(code=refused, reason=reason[:500])
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.recall_rejected" if refused else "exchange.recall_pulled",
            obj=delivery,
            organisation=delivery.recipient_id,
            summary=summary,
        )
    return delivery
