"""Refunds (hoàn phí), full or partial, of a payment made online: approved by a leader with the
reason, sent to the gateway through the core outbox (never inside the transaction), recorded with
the refund's own number once the gateway accepts it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import numbering, numbers
from egov.core.services import audit, outbox
from egov.dossiers.actors import user_of
from egov.dossiers.models import Dossier, Status
from egov.payments import scopes
from egov.payments.errors import refusal_text
from egov.payments.gateways import VIETNAM, BadSignature, GatewayError
from egov.payments.gateways.available import gateway
from egov.payments.models import (
    ONLINE_METHODS,
    Payment,
    PaymentStatus,
    ReceiptSequence,
    Refund,
    RefundStatus,
)

from . import refund_receipts
from .fees import authorise
from .receipts import amount_in_words

KIND = "payments.refund"


def refundable(payment: Payment) -> int:
    """What may still be given back: paid, less the refunds asked for or done."""
    taken = payment.refunds.exclude(status=RefundStatus.REFUSED).aggregate(s=Sum("amount_vnd"))
    return payment.amount_vnd - (taken["s"] or 0)


# A dossier that ends without its result: refused, withdrawn by the applicant, or stopped.
ENDED_WITHOUT_RESULT = frozenset({Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED})


def offered(dossier: Dossier) -> list[tuple[Payment, int]]:
    """The refunds a dossier that ended without its result after paying is owed: each paid
    online payment with what may still be refunded (the fees page offers them to a leader, the
    citizen's page says so). Empty for any other dossier."""
    if dossier.status not in ENDED_WITHOUT_RESULT:
        return []
    paid = Payment.objects.filter(
        dossier=dossier, status=PaymentStatus.PAID, method__in=ONLINE_METHODS
    ).annotate(taken=Sum("refunds__amount_vnd", filter=~Q(refunds__status=RefundStatus.REFUSED)))
    owed = [(p, p.amount_vnd - (p.taken or 0)) for p in paid]
    return [(p, amount) for p, amount in owed if amount > 0]


def done(dossier: Dossier) -> list[Refund]:
    """The dossier's refunds given back, each with its own receipt."""
    return list(
        Refund.objects.filter(payment__dossier=dossier, status=RefundStatus.DONE).order_by("id")
    )


def request_refund(payment: Payment, *, actor, amount_vnd, reason: str) -> Refund:
    """A leader's approved refund, sent to the gateway after commit. A refused request (above
    what may still be refunded, no reason, not a paid online payment, not the actor's agency)
    writes nothing but its audit line."""
    try:
        return _request_refund(payment, actor=actor, amount_vnd=amount_vnd, reason=reason)
    except (ValidationError, PermissionDenied) as exc:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="payments.refund_request_refused",
                obj=payment,
                organisation=payment.dossier.organisation,
                summary={"amount_vnd": str(amount_vnd)[:32], "error": refusal_text(exc)},
            )
        raise


def _request_refund(payment: Payment, *, actor, amount_vnd, reason: str) -> Refund:
    reason = (reason or "").strip()
    # The page's text the Vietnamese way: "221.000" is 221000 (int() refused it, and the
    # message said "more than 0"); the API's JSON integer passes as it is.
    if isinstance(amount_vnd, int) and not isinstance(amount_vnd, bool):
        amount = amount_vnd
    else:
        amount = numbers.parse(amount_vnd, whole=True)
        if amount is None:
            raise ValidationError(
                _('Write the amount in whole đồng, thousands grouped with dots: "221.000".')
            )
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("dossier__organisation")
            .get(pk=payment.pk)
        )
        decision = authorise(actor, scopes.REFUND, payment.dossier)
        if payment.status != PaymentStatus.PAID or payment.method not in ONLINE_METHODS:
            raise ValidationError(_("Only a payment made online and paid can be refunded here."))
        if not reason:
            raise ValidationError(_("Give the reason for the refund."))
        if not 0 < amount <= refundable(payment):
            raise ValidationError(
                _("The refund must be more than 0 and at most %(most)s VND.")
                % {"most": refundable(payment)}
            )
        refund = Refund.objects.create(
            payment=payment,
            amount_vnd=amount,
            reason=reason,
            approved_by=user_of(actor),
            requested_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="payments.refund_requested",
            obj=refund,
            organisation=payment.dossier.organisation,
            summary={"payment": payment.pk, "amount_vnd": amount, "decision": decision},
        )
        outbox.add(KIND, {"refund": refund.pk}, key=f"refund-{refund.pk}")
    return refund


def send(message, **options):
    """The outbox's attempt: the gateway's refund call, the same request id every time."""
    refund = Refund.objects.select_related("payment__dossier", "approved_by").get(
        pk=message.payload["refund"]
    )
    by = refund.approved_by.get_username() if refund.approved_by else "system"
    try:
        result = gateway(refund.payment.method).refund(
            refund.payment,
            refund.amount_vnd,
            by=by[:64],
            client_ip="127.0.0.1",
            now=timezone.now(),
            request_id=message.key.replace("-", "")[:32],
        )
    except (GatewayError, BadSignature) as exc:
        raise outbox.Failure(str(exc)) from exc  # the gateway may answer later: retry
    if not result.accepted:
        raise outbox.Failure(f"refused by the gateway: {result.code}", permanent=True)
    return result.code


def recorded(message, result, error: str) -> None:
    """In the transaction that records the attempt: the refund's own state, number and audit."""
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment__dossier__organisation")
        .get(pk=message.payload["refund"])
    )
    if refund.status != RefundStatus.REQUESTED:
        return
    organisation = refund.payment.dossier.organisation
    if message.state == message.State.SENT:
        now = timezone.now()
        refund.status = RefundStatus.DONE
        refund.gateway_code = str(result or "")[:8]
        refund.done_at = now
        refund.serial = f"HT/{now.astimezone(VIETNAM):%y}E"
        refund.number = numbering.draw(
            ReceiptSequence, organisation=organisation.pk, serial=refund.serial
        )
        refund.amount_words = amount_in_words(refund.amount_vnd)
        refund_receipts.enqueue_after_commit(refund.pk)
        action = "payments.refund_done"
    elif message.state == message.State.FAILED:
        refund.status = RefundStatus.REFUSED
        refund.gateway_code = error.rsplit(":", 1)[-1].strip()[:8]
        action = "payments.refund_refused"
    else:
        return  # a retry is due
    refund.save()
    audit.record(
        actor=None,
        action=action,
        obj=refund,
        organisation=organisation,
        summary={"amount_vnd": refund.amount_vnd, "code": refund.gateway_code},
    )


def register() -> None:
    outbox.register(
        KIND,
        send,
        max_attempts=8,
        backoff=outbox.exponential(dt.timedelta(seconds=30), most=dt.timedelta(hours=1)),
        recorded=recorded,
    )
