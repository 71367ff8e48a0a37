"""Reconciliation: every online payment still pending after N minutes is queried at its gateway
(VNPay's querydr) until the answer is final; a final answer is recorded under the same rules as a
callback (egov.payments.services.payments.settle). Run by `egov payments reconcile --every S`,
which `egov serve` starts beside the task worker."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from egov.payments.gateways import BadSignature, Callback, GatewayError
from egov.payments.models import ONLINE_METHODS, Payment, PaymentStatus

from .payments import settle

logger = logging.getLogger(__name__)
# A payment URL expires after 15 minutes (vnp_ExpireDate): a payment the gateway still does not
# know this long after it was made was never paid, and is cancelled.
ABANDONED_AFTER = dt.timedelta(minutes=30)


def reconcile(gateways: dict, *, after: dt.timedelta, now=None, limit: int = 200) -> dict:
    """Query the pending payments older than ``after``; returns counts per outcome."""
    now = now or timezone.now()
    counts = {"queried": 0, "paid": 0, "failed": 0, "pending": 0, "cancelled": 0, "errors": 0}
    pending = Payment.objects.filter(
        status=PaymentStatus.PENDING, method__in=ONLINE_METHODS, created_at__lte=now - after
    ).order_by("id")[:limit]
    for payment in pending:
        gateway = gateways[payment.method]
        try:
            result = gateway.query(payment, client_ip="127.0.0.1", now=now)
        except (GatewayError, BadSignature) as exc:
            logger.warning("Reconciliation of %s: %s", payment.reference, exc)
            counts["errors"] += 1
            continue
        counts["queried"] += 1
        if result.state == "pending":
            counts["pending"] += 1
            continue
        if result.state == "unknown":
            if now - payment.created_at < ABANDONED_AFTER:
                counts["pending"] += 1
                continue
            callback = Callback(payment.reference, payment.amount_vnd, False, code="24")
            counts["cancelled"] += 1
        else:
            paid = result.state == "paid"
            callback = Callback(
                payment.reference,
                result.amount_vnd,
                paid,
                transaction=result.transaction[:64],
                code="00" if paid else "02",
            )
            counts["paid" if paid else "failed"] += 1
        settle(payment.method, callback)
    return counts
