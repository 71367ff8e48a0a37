"""Outbound relay: what goes up from a provincial hub to its parent, as rows of the core outbox
sent by the task worker: a package for recipients outside this hub's organisations (kind
``exchange.relay``, the sender's bytes as received) and the status packets the parent's side must
see (kind ``exchange.relay_status``: a local recipient's answer to an outside sender, a local
sender's recall).
The hub calls it while it stores; the outbox reports each relay's outcome back
(:func:`relayed`, :func:`relay_failed`). :func:`retry` and :func:`retry_answers` make new rows
for what failed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.models import OutboxMessage
from egov.core.services import audit, outbox
from egov.core.signing import verify_xml
from egov.exchange import edxml
from egov.exchange.models import Delivery, Package, StatusMessage, TransportState
from egov.exchange.services import evidence
from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import checks
from egov.exchange.services.relay.client import (
    PACKAGES,
    STATUSES,
    is_provincial,
    parent_url,
    relays,
)

logger = logging.getLogger(__name__)

RELAY = "exchange.relay"
RELAY_STATUS = "exchange.relay_status"


def _enqueue(
    delivery_id: int, package_id: int, kind: str, key: str, *, status_id: int | None = None
) -> OutboxMessage:
    """An outbox row to the parent (in the caller's transaction, sent after commit)."""
    path = PACKAGES if kind == RELAY else STATUSES
    payload = {"delivery": delivery_id, "package": package_id, "url": parent_url(path)}
    if status_id is not None:
        payload["status"] = status_id
    return outbox.add(kind, payload, key=key)


def enqueue_package(delivery: Delivery) -> OutboxMessage:
    """One relay of the package to the parent (for all its recipients outside the subtree)."""
    return _enqueue(delivery.pk, delivery.package_id, RELAY, f"relay:{delivery.package_id}")


@dataclass
class Retried:
    message: OutboxMessage  # the first new row (the package's relay when it was retried)
    recipients: list[str]  # the deliveries via the parent that are pending again
    statuses: list[OutboxMessage]  # new relays of status packets


def _failed_status_relays(
    package: Package, *, delivery: Delivery | None = None, lock: bool = False
) -> list[tuple[OutboxMessage, str]]:
    """The latest relay of each of ``package``'s status packets to the parent (outbox kind
    ``relay_status``, key ``relay_status:<status>[:<n>]``; ``delivery``: only those sent with
    it, a recipient's answers) where that relay failed, each with the key of its next attempt."""
    rows = OutboxMessage.objects.filter(kind=RELAY_STATUS, payload__package=package.pk)
    if delivery is not None:
        rows = rows.filter(payload__delivery=delivery.pk)
    if lock:
        rows = rows.select_for_update()
    by_status: dict[str, list[OutboxMessage]] = {}
    for row in rows.order_by("pk"):
        by_status.setdefault(row.key.split(":")[1], []).append(row)
    return [
        (attempts[-1], f"relay_status:{status_id}:{len(attempts) + 1}")
        for status_id, attempts in by_status.items()
        if attempts[-1].state == OutboxMessage.State.FAILED
    ]


def failed_status_relays(package: Package) -> list[OutboxMessage]:
    """The latest relay of each status packet of ``package`` where that relay failed."""
    return [row for row, _key in _failed_status_relays(package)]


def _resend_statuses(failed: list[tuple[OutboxMessage, str]]) -> list[OutboxMessage]:
    """A new outbox row (the next key) for each failed status relay, sent after commit."""
    return [
        _enqueue(
            old.payload["delivery"],
            old.payload["package"],
            RELAY_STATUS,
            key,
            status_id=old.payload["status"],
        )
        for old, key in failed
    ]


def retry(package: Package, *, actor) -> Retried:
    """A new attempt at what failed going up to the parent for ``package``: the failed
    deliveries via the parent are pending again with a new outbox row (kind ``relay``), and each
    status packet whose relay failed (a recall, an answer) gets a new ``relay_status`` row; all
    sent after commit. For the sender's clerk or client (documents.send); audited."""
    policy.check(actor, "documents.send", package)
    if not is_provincial():
        raise HubError("not_provincial", _("This hub relays nothing to a parent hub."), status=409)
    with transaction.atomic():
        failed = list(
            Delivery.objects.select_for_update()
            .filter(package=package, via="parent", transport_state=TransportState.FAILED)
            .select_related("recipient")
            .order_by("pk")
        )
        failed_statuses = _failed_status_relays(package, lock=True)
        if not failed and not failed_statuses:
            raise HubError(
                "nothing_to_retry",
                _("No relay of this document to the parent hub has failed."),
                status=409,
            )
        new = []
        if failed:
            Delivery.objects.filter(pk__in=[d.pk for d in failed]).update(
                transport_state=TransportState.PENDING, transport_error=""
            )
            tries = OutboxMessage.objects.filter(kind=RELAY, payload__package=package.pk).count()
            key = f"relay:{package.pk}:{tries + 1}"
            new.append(_enqueue(failed[0].pk, package.pk, RELAY, key))
        statuses = _resend_statuses(failed_statuses)
        new += statuses
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.relay_retried",
            obj=package,
            organisation=package.sender_id,
            summary={
                "document_id": package.document_id,
                "recipients": [d.recipient.code for d in failed],
                "previous_error": failed[0].transport_error[:500] if failed else "",
                "outbox": new[0].key,
                "status_relays": [
                    {"outbox": m.key, "previous": old.key, "previous_error": old.last_error[:500]}
                    for m, (old, _key) in zip(statuses, failed_statuses, strict=True)
                ],
            },
        )
    return Retried(new[0], [d.recipient.code for d in failed], statuses)


def failed_answer_relays(delivery: Delivery) -> list[OutboxMessage]:
    """The latest relay of each of the recipient's answers on ``delivery`` (a package from a
    sender at the parent) where that relay failed."""
    return [row for row, _key in _failed_status_relays(delivery.package, delivery=delivery)]


def retry_answers(delivery: Delivery, *, actor) -> list[OutboxMessage]:
    """A new attempt at sending up the recipient's answers (statuses 02-06, 15, 16) whose relay
    to the parent failed: the recipient's side (documents.receive), since the package's sender
    is outside this hub and nobody here may act for it. Audited; sent after commit."""
    policy.check(actor, "documents.receive", delivery)
    if not is_provincial():
        raise HubError("not_provincial", _("This hub relays nothing to a parent hub."), status=409)
    with transaction.atomic():
        failed = _failed_status_relays(delivery.package, delivery=delivery, lock=True)
        if not failed:
            raise HubError(
                "nothing_to_retry",
                _("No answer of this recipient to the parent hub has failed."),
                status=409,
            )
        new = _resend_statuses(failed)
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.answer_relay_retried",
            obj=delivery,
            organisation=delivery.recipient_id,
            summary={
                "document_id": delivery.package.document_id,
                "status_relays": [
                    {"outbox": m.key, "previous": o.key, "previous_error": o.last_error[:500]}
                    for m, (o, _key) in zip(new, failed, strict=True)
                ],
            },
        )
    return new


def enqueue_status(delivery: Delivery, message: StatusMessage) -> OutboxMessage:
    return _enqueue(
        delivery.pk,
        delivery.package_id,
        RELAY_STATUS,
        f"relay_status:{message.pk}",
        status_id=message.pk,
    )


def relay_answer(package, delivery: Delivery, message: StatusMessage) -> None:
    """A local recipient answered a package that came from outside: the sender is at the parent."""
    if not is_provincial():
        return
    if relays(package.sender, checks.hub_organisation()):
        enqueue_status(delivery, message)


def relay_recall(deliveries: list[Delivery], message: StatusMessage) -> None:
    """A local sender recalls a package some of whose recipients are at the parent."""
    relayed = [d for d in deliveries if d.via]
    if relayed:
        enqueue_status(relayed[0], message)


def relayed(delivery: Delivery, answer: bytes | None, now) -> None:
    """The parent took the package (relayed with ``delivery``): its deliveries via the parent are
    delivered (handed over); the parent's signed receipt joins this hub's evidence. In the
    caller's transaction."""
    Delivery.objects.filter(
        package_id=delivery.package_id,
        via="parent",
        transport_state=TransportState.PENDING,
    ).update(transport_state=TransportState.DELIVERED, delivered_at=now, transport_error="")
    if answer:
        _keep_receipt(delivery.package, answer)


def relay_failed(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(
        package_id=delivery.package_id,
        via="parent",
        transport_state=TransportState.PENDING,
    ).update(transport_state=TransportState.FAILED, transport_error=error[:2000])


def _keep_receipt(package, answer: bytes) -> None:
    try:
        receipt = json.loads(answer)["receipt"].encode("utf-8")
        result = verify_xml(receipt)
        parsed = edxml.parse_status(receipt)
    except (ValueError, KeyError, TypeError, edxml.EdxmlError) as exc:
        logger.warning("exchange: the parent's receipt for %s unreadable: %s", package, exc)
        return
    if not result.valid or parsed.response_for.document_id != package.document_id:
        logger.warning("exchange: the parent's receipt for %s does not verify", package)
        return
    evidence.append(
        kind="receipt",
        document_id=package.document_id,
        organ_id=result.signer_code or "",
        content=receipt,
    )
