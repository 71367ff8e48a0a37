"""Pushes to webhooks and relays to the parent hub: the handlers of the exchange's kinds of the
core outbox (:mod:`egov.core.services.outbox`), registered by the app's ``ready()``.

Kinds ``exchange.package``, ``exchange.status``, ``exchange.recall`` (webhook pushes) and
``exchange.relay``, ``exchange.relay_status`` (relays); payload ``{"delivery", "package",
"url"}`` and, for a status packet, ``"status"``. The rows are added by
:func:`egov.exchange.services.hub.deliveries.push` and
:mod:`egov.exchange.services.relay.outbound`, in the transaction of the change.

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
from django.utils import timezone

from egov.core.models import OutboxMessage
from egov.core.services import audit, outbox
from egov.exchange import webhook
from egov.exchange.models import Delivery, StatusCode, StatusMessage, TransportState
from egov.exchange.services import webhooks
from egov.exchange.services.hub import deliveries, packages
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay import outbound

logger = logging.getLogger(__name__)

PUSH_KINDS = ("exchange.package", "exchange.status", "exchange.recall")
RELAY_KINDS = ("exchange.relay", "exchange.relay_status")
MAX_ATTEMPTS = 6
BACKOFF_BASE = 5
BACKOFF_MAX = 3600
TIMEOUT = 10.0

backoff = outbox.exponential(
    dt.timedelta(seconds=BACKOFF_BASE), most=dt.timedelta(seconds=BACKOFF_MAX)
)


def short_kind(message: OutboxMessage) -> str:
    """package, status, recall, relay or relay_status (the X-Egov-Kind header)."""
    return message.kind.removeprefix("exchange.")


def delivery_of(message: OutboxMessage) -> Delivery:
    return Delivery.objects.select_related("package").get(pk=message.payload["delivery"])


def body(message: OutboxMessage, delivery: Delivery) -> bytes:
    kind = short_kind(message)
    if kind == "package":
        return packages.package_bytes(delivery.package)
    if kind == "relay":  # to the parent hub: the sender's signed bytes as received
        return packages.package_bytes(delivery.package, original=True)
    if kind in ("status", "relay_status"):
        return bytes(StatusMessage.objects.get(pk=message.payload["status"]).xml)
    # recall: the sender's status 13 for this delivery's package
    return bytes(deliveries.recall_message(delivery).xml)


def attempt(message: OutboxMessage, *, client: httpx.Client | None = None) -> bytes | None:
    """The outbox handler: one POST of the row's XML; returns the parent's answer to a relay,
    raises :class:`~egov.core.services.outbox.Failure` when the receiver did not take it (at
    once for good when the parent refused it)."""
    delivery = delivery_of(message)
    payload = body(message, delivery)
    to_parent = message.kind in RELAY_KINDS
    try:
        http = client or httpx.Client(
            timeout=settings.EGOV_EXCHANGE_PARENT_TIMEOUT if to_parent else TIMEOUT
        )
        try:
            headers = {
                "Content-Type": "application/xml",
                "Idempotency-Key": message.key,
                "X-Egov-Kind": short_kind(message),
            }
            if to_parent:  # the parent hub: this hub's bearer token
                headers.update(parent_hub.headers(http))
            else:  # a mailbox's webhook: the MAC under its secret, if it has one
                headers.update(_signed(message, delivery, payload))
            response = http.post(message.payload["url"], content=payload, headers=headers)
        finally:
            if client is None:
                http.close()
    except httpx.HTTPError as exc:
        raise outbox.Failure(f"{type(exc).__name__}: {exc}") from exc
    except (parent_hub.RelayError, webhooks.SecretError) as exc:
        raise outbox.Failure(str(exc)) from exc
    if 200 <= response.status_code < 300:
        return response.content if to_parent else None
    if not to_parent:
        raise outbox.Failure(f"HTTP {response.status_code}")
    if response.status_code == 401:
        parent_hub.forget_token()
    raise outbox.Failure(
        parent_hub.describe(response), permanent=parent_hub.is_permanent(response.status_code)
    )


def owner_id(message: OutboxMessage, delivery: Delivery) -> int:
    """The organisation whose webhook gets the push: a status goes to the package's sender, a
    package or a recall to the recipient (as in ``hub.deliveries.push``)."""
    if message.kind == "exchange.status":
        return delivery.package.sender_id
    return delivery.recipient_id


def _signed(message: OutboxMessage, delivery: Delivery, payload: bytes) -> dict[str, str]:
    """The MAC of key, timestamp and body under each current secret (two while a rotation
    overlaps: the new one first), space-separated."""
    secrets = webhooks.secrets_for(owner_id(message, delivery))
    if not secrets:
        return {}
    timestamp = int(time.time())
    return {
        webhook.TIMESTAMP_HEADER: str(timestamp),
        webhook.SIGNATURE_HEADER: " ".join(
            webhook.signature(secret, message.key, timestamp, payload) for secret in secrets
        ),
    }


def recorded(message: OutboxMessage, answer: bytes | None, error: str) -> None:
    """In the transaction that records the attempt (``message.state`` says how it went): the
    delivery's transport state, the relay's outcome, the audit row."""
    delivery = Delivery.objects.select_for_update().get(pk=message.payload["delivery"])
    kind = short_kind(message)
    now = timezone.now()
    if message.state == OutboxMessage.State.SENT:
        if kind == "package" and delivery.transport_state != TransportState.DELIVERED:
            delivery.transport_state = TransportState.DELIVERED
            delivery.delivered_at = now
            if not delivery.status:
                delivery.status = StatusCode.ARRIVED
            delivery.save(update_fields=["transport_state", "delivered_at", "status"])
        if kind == "relay":
            outbound.relayed(delivery, answer, now)
    elif message.state == OutboxMessage.State.FAILED:
        if kind == "package" and delivery.transport_state == TransportState.PENDING:
            delivery.transport_state = TransportState.FAILED
            delivery.save(update_fields=["transport_state"])
        if kind == "relay":
            outbound.relay_failed(delivery, error)
    audit.record(
        actor="system",
        action=f"exchange.push_{message.state}",
        obj=message,
        organisation=delivery.recipient_id,
        summary={"kind": kind, "attempt": message.attempts, "error": error[:200]},
    )
    if message.state == OutboxMessage.State.PENDING:
        logger.info(
            "exchange: push %s failed (%s), retry at %s",
            message.key,
            error,
            message.next_attempt_at,
        )


def send(message_id: int, *, client: httpx.Client | None = None) -> str:
    """One attempt at the row now, whether its time has come or not (tests; the task worker
    runs rows through :func:`egov.core.services.outbox.run`): ``"sent"``, ``"pending"``,
    ``"failed"`` or ``"skipped"``."""
    return outbox.run(message_id, early=True, client=client)


def register() -> None:
    for kind in PUSH_KINDS + RELAY_KINDS:
        outbox.register(
            kind, attempt, max_attempts=MAX_ATTEMPTS, backoff=backoff, recorded=recorded
        )
