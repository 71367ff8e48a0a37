"""Paying a dossier's fees: a citizen starts an online payment, the gateway's signed callback
(IPN) settles it, the desk records cash or transfer payments.

The rules that decide a payment (issue 14):
- the amount must equal the payment's and the dossier's outstanding fees, else the callback is
  answered "invalid amount" and nothing is recorded but the audit line;
- a replayed or concurrent success makes exactly one change and one set of receipts: the payment
  row is locked (SELECT ... FOR UPDATE) and a second callback finds it settled, "already
  confirmed"; a partial unique index allows one paid payment per dossier;
- an unknown reference is "not found", a bad hash "bad checksum"; neither is ever a 500.
The return URL (the citizen's browser) never changes anything: only the callback does.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.services import audit
from egov.dossiers import scopes as dossier_scopes
from egov.dossiers import services as dossier_services
from egov.dossiers.actors import is_applicant, user_of
from egov.dossiers.models import Dossier, Status
from egov.dossiers.services._common import lock
from egov.payments import scopes
from egov.payments.acts import check_transition
from egov.payments.errors import refusal_text
from egov.payments.gateways import BadSignature, Callback
from egov.payments.models import DESK_METHODS, ONLINE_METHODS, Payment, PaymentStatus

from . import receipts
from .fees import authorise, outstanding


class Outcome(enum.Enum):
    CONFIRMED = "confirmed"  # recorded (paid, or failed/cancelled at the gateway)
    NOT_FOUND = "not_found"
    ALREADY = "already"
    BAD_AMOUNT = "bad_amount"
    BAD_SIGNATURE = "bad_signature"


def may_pay(actor, dossier: Dossier) -> bool:
    """The applicant (or whoever holds the dossier's applying scope as its owner) pays online."""
    return is_applicant(actor, dossier) or _owner_may_apply(actor, dossier)


def _owner_may_apply(actor, dossier) -> bool:
    return policy.decide(actor, dossier_scopes.APPLY, dossier).reason == "owner"


def new_reference(dossier: Dossier) -> str:
    # vnp_TxnRef: letters and digits, unique; the dossier's id keeps it readable in statements.
    return f"HS{dossier.pk}T{secrets.token_hex(5).upper()}"


def start_online(dossier: Dossier, *, actor, method: str) -> Payment:
    """A pending payment of what the dossier owes now, to be paid at the gateway. A refused start
    (someone else's dossier, nothing due, already paid, no method) writes only its audit line."""
    try:
        return _start_online(dossier, actor=actor, method=method)
    except (ValidationError, PermissionDenied) as exc:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="payments.start_refused",
                obj=dossier,
                organisation=dossier.organisation,
                summary={"method": str(method)[:16], "error": refusal_text(exc)},
            )
        raise


def _start_online(dossier: Dossier, *, actor, method: str) -> Payment:
    if method not in ONLINE_METHODS:
        raise ValidationError(_("Choose a way to pay."))
    with transaction.atomic():
        d = lock(dossier)
        if not may_pay(actor, d):
            raise PermissionDenied(_("You may only pay the fees of your own dossiers."))
        if d.status != Status.FEES_DUE:
            raise ValidationError(_("This dossier has no fees to pay now."))
        due = outstanding(d)
        if due <= 0:
            raise ValidationError(_("The fees of this dossier are already paid."))
        check_transition(None, "start")
        now = timezone.now()
        payment = Payment.objects.create(
            dossier=d,
            reference=new_reference(d),
            method=method,
            amount_vnd=due,
            created_at=now,
            created_by=user_of(actor),
            payer_name=d.applicant_name[:255],
        )
        audit.record(
            actor=actor,
            action="payments.start",
            obj=payment,
            organisation=d.organisation,
            summary={"dossier": d.pk, "method": method, "amount_vnd": due},
        )
    return payment


def _refused(reason: str, params: Mapping[str, str], gateway: str) -> None:
    """The audit line of a refused callback (its own transaction: nothing else is written)."""
    with transaction.atomic():
        audit.record(
            actor=f"gateway:{gateway}",
            action="payments.callback_refused",
            object_type="payments.payment",
            # The order reference as each protocol names it (VNPay, the national platform).
            object_id=str(params.get("vnp_TxnRef") or params.get("MaThamChieu") or "")[:64],
            summary={"reason": reason},
        )


def settle_callback(gateway, params: Mapping[str, str]) -> Outcome:
    """A gateway's server-to-server confirmation (VNPay's IPN): verify, check, record once."""
    try:
        callback = gateway.verify_callback(params)
    except BadSignature:
        _refused("signature", params, gateway.name)
        return Outcome.BAD_SIGNATURE
    return settle(gateway.name, callback)


def settle(gateway: str, callback: Callback) -> Outcome:
    """Record a verified result (a callback, or a query's final answer) once, under the rules."""
    # A plain read first: a payment leaves "pending" once and never comes back, so a settled
    # status read without a lock is final. A replay (VNPay retries until it hears "00", and two
    # of its servers may send at once) is answered from it without locking the payment and the
    # dossier: half of the callbacks in `egov bench payments`.
    known = (
        Payment.objects.filter(reference=callback.reference, method=gateway)
        .values_list("pk", "status")
        .first()
    )
    if known is None:
        return _refuse(gateway, callback, Outcome.NOT_FOUND, "unknown reference", None)
    if known[1] != PaymentStatus.PENDING:
        return _refuse(gateway, callback, Outcome.ALREADY, f"payment {known[1]}", known[0])
    with transaction.atomic(), audit.deferred():
        payment = Payment.objects.select_for_update().get(pk=known[0])
        # The dossier too: two payments of one dossier confirmed at once settle one by one. It is
        # locked as the dossier's act locks it, and the act uses it as it is (no second lock);
        # its fee items are read once, for what is due and for the receipts.
        payment.dossier = dossier = lock(Dossier(pk=payment.dossier_id))
        prefetch_related_objects([dossier], "fee_items")
        due = None
        if callback.success and payment.status == PaymentStatus.PENDING:
            due = outstanding(dossier)
        if payment.status != PaymentStatus.PENDING:
            outcome, reason = Outcome.ALREADY, f"payment {payment.status}"
        elif callback.amount_vnd != payment.amount_vnd:
            outcome, reason = Outcome.BAD_AMOUNT, "amount differs from the payment"
        elif callback.success and due == 0:
            outcome, reason = Outcome.ALREADY, "dossier already paid"
        elif callback.success and due != payment.amount_vnd:
            outcome, reason = Outcome.BAD_AMOUNT, "amount differs from the fees due"
        else:
            _record(payment, callback, gateway)
            return Outcome.CONFIRMED
        _refused_row(gateway, callback, reason, payment.pk)
    return outcome


def _refuse(gateway: str, callback: Callback, outcome: Outcome, reason: str, payment_id):
    """A callback refused from the plain read: only its audit line, in its own transaction."""
    with transaction.atomic():
        _refused_row(gateway, callback, reason, payment_id)
    return outcome


def _refused_row(gateway: str, callback: Callback, reason: str, payment_id) -> None:
    audit.record(
        actor=f"gateway:{gateway}",
        action="payments.callback_refused",
        object_type="payments.payment",
        object_id=payment_id if payment_id is not None else callback.reference[:64],
        summary={"reason": reason, "amount_vnd": callback.amount_vnd},
    )


def _record(payment: Payment, callback: Callback, gateway: str) -> None:
    act = "confirm" if callback.success else ("cancel" if callback.code == "24" else "fail")
    payment.status = check_transition(payment, act)
    payment.gateway_transaction = callback.transaction
    payment.bank_code = callback.bank_code
    payment.gateway_code = callback.code
    payment.settled_at = callback.paid_at or timezone.now()
    payment.save(
        update_fields=["status", "gateway_transaction", "bank_code", "gateway_code", "settled_at"]
    )
    summary = {"amount_vnd": payment.amount_vnd, "code": callback.code}
    if callback.success:
        summary["receipts"] = _paid(payment, actor=None)
    audit.record(
        actor=f"gateway:{gateway}",
        action=f"payments.{act}",
        obj=payment,
        organisation=payment.dossier.organisation,
        summary=summary,
    )


def _paid(payment: Payment, *, actor) -> list[str]:
    """What a paid payment does: the dossier leaves status 6, receipts are issued (their serials
    and numbers are returned for the payment's audit row). The receipts come last: their
    numbers' counters stay locked from the draw to the commit."""
    dossier = payment.dossier
    if dossier.status == Status.FEES_DUE:
        dossier_services.record_fees_paid(
            dossier,
            actor=actor,
            note=_("Paid: %(ref)s") % {"ref": payment.reference},
            locked=True,  # by settle or record_at_desk, in this transaction
        )
    return [f"{r.serial} {r.number}" for r in receipts.issue(payment)]


def record_at_desk(
    dossier: Dossier, *, actor, method: str, receipt_number: str, note: str = ""
) -> Payment:
    """Cash or a bank transfer taken at the desk, with its receipt number. Scope collect."""
    receipt_number = (receipt_number or "").strip()
    if method not in DESK_METHODS:
        raise ValidationError(_("Choose cash or bank transfer."))
    if not receipt_number:
        raise ValidationError(_("Give the receipt number."))
    with transaction.atomic():
        d = lock(dossier)
        decision = authorise(actor, scopes.COLLECT, d)
        due = outstanding(d)
        if due <= 0:
            raise ValidationError(_("The fees of this dossier are already paid."))
        now = timezone.now()
        payment = Payment(
            dossier=d,
            reference=new_reference(d),
            method=method,
            amount_vnd=due,
            created_at=now,
            created_by=user_of(actor),
            payer_name=d.applicant_name[:255],
            desk_receipt_number=receipt_number[:64],
            settled_at=now,
        )
        payment.status = check_transition(None, "record_at_desk")
        payment.save()
        issued = _paid(payment, actor=actor)
        audit.record(
            actor=actor,
            action="payments.record_at_desk",
            obj=payment,
            organisation=d.organisation,
            summary={
                "method": method,
                "amount_vnd": due,
                "decision": decision,
                "note": note,
                "receipts": issued,
            },
        )
    return payment
