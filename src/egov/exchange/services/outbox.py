"""Pushes to webhooks: the outbox rows written with each change, sent after commit, retried.

A push is a POST of the XML (the hub's copy of a package, or a status packet) with the header
``Idempotency-Key`` (the outbox row's key): a receiver that saw it already answers 2xx again.
Failures back off exponentially (``BACKOFF_BASE * 2**attempts`` seconds, at most ``BACKOFF_MAX``);
after ``MAX_ATTEMPTS`` the push is failed and, for a package, so is the delivery's transport state
(the recipient can still pull it).

With a secret on the receiving mailbox (``egov exchange webhook-secret``) a push also carries
``X-Egov-Timestamp`` and ``X-Egov-Signature: v1=<HMAC-SHA256 of "key.timestamp.body">`` (the
key is the Idempotency-Key), made anew at each attempt; while a rotation overlaps, a second
``v1=`` value under the previous secret (:mod:`egov.exchange.webhook` says how a receiver checks
them). Without a secret a push goes unsigned.

Relays to the parent hub (kinds ``relay`` and ``relay_status``, see
:mod:`egov.exchange.services.relay.outbound`) go through the same rows with this hub's bearer
token; a refusal by the parent (4xx but 401, 408, 425, 429) fails at once with the parent's
reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.core.services import audit
from egov.exchange import webhook
from egov.exchange.models import (
    Delivery,
    OutboxMessage,
    StatusCode,
    StatusMessage,
    TransportState,
)
from egov.exchange.services import queue, webhooks
from egov.exchange.services.hub import deliveries, packages
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay import outbound

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = 5
BACKOFF_MAX = 3600
TIMEOUT = 10.0


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def body(message: OutboxMessage) -> bytes:
    if message.kind == "package":
        return packages.package_bytes(message.delivery.package)
    if message.kind == "relay":  # to the parent hub: the sender's signed bytes as received
        return packages.package_bytes(message.delivery.package, original=True)
    if message.kind in ("status", "relay_status"):
        status = StatusMessage.objects.get(pk=int(message.key.split(":")[1]))
        return bytes(status.xml)
    # recall: the sender's status 13 for this delivery's package
    return bytes(deliveries.recall_message(message.delivery).xml)


def send(message_id: int, *, client: httpx.Client | None = None) -> OutboxMessage.State | None:
    """Try one push; return the new state (None if there was nothing to do)."""
    message = OutboxMessage.objects.select_related("delivery__package").get(pk=message_id)
    if message.state != OutboxMessage.State.PENDING:
        return None
    payload = body(message)
    to_parent = message.kind in outbound.RELAY_KINDS
    error = ""
    permanent = False
    answer = None
    try:
        http = client or httpx.Client(
            timeout=settings.EGOV_EXCHANGE_PARENT_TIMEOUT if to_parent else TIMEOUT
        )
        try:
            headers = {
                "Content-Type": "application/xml",
                "Idempotency-Key": message.key,
                "X-Egov-Kind": message.kind,
            }
            if to_parent:  # the parent hub: this hub's bearer token
                headers.update(parent_hub.headers(http))
            else:  # a mailbox's webhook: the MAC under its secret, if it has one
                headers.update(_signed(message, payload))
            response = http.post(message.url, content=payload, headers=headers)
        finally:
            if client is None:
                http.close()
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}"
            if to_parent:
                error = parent_hub.describe(response)
                permanent = parent_hub.is_permanent(response.status_code)
                if response.status_code == 401:
                    parent_hub.forget_token()
        elif to_parent:
            answer = response.content
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    except (parent_hub.RelayError, webhooks.SecretError) as exc:
        error = str(exc)
    return _record(message.pk, error, permanent=permanent, answer=answer)


def owner_id(message: OutboxMessage) -> int:
    """The organisation whose webhook gets the push: a status goes to the package's sender, a
    package or a recall to the recipient (as in ``hub.deliveries.push``)."""
    delivery = message.delivery
    return delivery.package.sender_id if message.kind == "status" else delivery.recipient_id


def _signed(message: OutboxMessage, payload: bytes) -> dict[str, str]:
    """The MAC of key, timestamp and body under each current secret (two while a rotation
    overlaps: the new one first), space-separated."""
    secrets = webhooks.secrets_for(owner_id(message))
    if not secrets:
        return {}
    timestamp = int(time.time())
    return {
        webhook.TIMESTAMP_HEADER: str(timestamp),
        webhook.SIGNATURE_HEADER: " ".join(
            webhook.signature(secret, message.key, timestamp, payload) for secret in secrets
        ),
    }


@transaction.atomic
def _record(
    message_id: int, error: str, *, permanent: bool = False, answer: bytes | None = None
) -> OutboxMessage.State:
    """``permanent``: the receiver refused (a retry would not help); ``answer``: the body of a
    relay's successful answer (the parent's receipt)."""
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    delivery = Delivery.objects.select_for_update().get(pk=message.delivery_id)
    now = timezone.now()
    message.attempts += 1
    if not error:
        message.state = OutboxMessage.State.SENT
        message.sent_at = now
        if message.kind == "package" and delivery.transport_state != TransportState.DELIVERED:
            delivery.transport_state = TransportState.DELIVERED
            delivery.delivered_at = now
            if not delivery.status:
                delivery.status = StatusCode.ARRIVED
            delivery.save(update_fields=["transport_state", "delivered_at", "status"])
        if message.kind == "relay":
            outbound.relayed(message, answer, now)
    elif permanent or message.attempts >= MAX_ATTEMPTS:
        message.state = OutboxMessage.State.FAILED
        if message.kind == "package" and delivery.transport_state == TransportState.PENDING:
            delivery.transport_state = TransportState.FAILED
            delivery.save(update_fields=["transport_state"])
        if message.kind == "relay":
            outbound.relay_failed(message, error)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    message.last_error = error
    message.save()
    audit.record(
        actor="system",
        action=f"exchange.push_{message.state}",
        obj=message,
        organisation=delivery.recipient_id,
        summary={"kind": message.kind, "attempt": message.attempts, "error": error[:200]},
    )
    if message.state == OutboxMessage.State.PENDING:
        logger.info(
            "exchange: push %s failed (%s), retry at %s",
            message.key,
            error,
            message.next_attempt_at,
        )
        queue.send_after_commit(message.pk, when=message.next_attempt_at)
    return message.state
