"""{% payment_section dossier %}: the fees and payments part of the citizen's dossier page; the
payments' and refunds' states as GOV.UK tags. Amounts: core's ``vnd`` (``{% load govuk %}``)."""

from django import template
from django.utils.html import format_html

from egov.payments.models import PaymentStatus, RefundStatus
from egov.payments.services import fees, payments, refunds

register = template.Library()

# Yellow while the gateway has not answered (someone must wait or look), green once paid, red
# when it failed, grey for an attempt the payer abandoned. The same on the citizen's and the
# officials' pages.
PAYMENT_COLOURS = {
    PaymentStatus.PENDING: "yellow",
    PaymentStatus.PAID: "green",
    PaymentStatus.FAILED: "red",
    PaymentStatus.CANCELLED: "grey",
}
REFUND_COLOURS = {
    RefundStatus.REQUESTED: "yellow",
    RefundStatus.DONE: "green",
    RefundStatus.REFUSED: "red",
}


@register.inclusion_tag("payments/_dossier_payment.html", takes_context=True)
def payment_section(context, dossier):
    request = context.get("request")
    items = list(dossier.fee_items.all())
    due = fees.outstanding(dossier) if items else 0
    user = getattr(request, "user", None)
    return {
        "dossier": dossier,
        "items": items,
        "due": due,
        "can_pay": bool(due) and dossier.status == 6 and payments.may_pay(user, dossier),
        "pending": dossier.payments.filter(status=PaymentStatus.PENDING).first(),
        "receipts": list(dossier.payment_receipts.all()),
        "refund_receipts": refunds.done(dossier) if items else [],
        "refund_owed": sum(amount for _, amount in refunds.offered(dossier)) if items else 0,
    }


def _tag(colour: str, label) -> str:
    modifier = f" govuk-tag--{colour}" if colour else ""
    return format_html('<strong class="govuk-tag{}">{}</strong>', modifier, label)


@register.simple_tag
def payment_tag(payment):
    """``{% payment_tag payment %}``: its status's name in its colour."""
    return _tag(PAYMENT_COLOURS.get(payment.status, "grey"), payment.get_status_display())


@register.simple_tag
def refund_tag(refund):
    return _tag(REFUND_COLOURS.get(refund.status, "grey"), refund.get_status_display())


@register.filter
def receipt_number(receipt) -> str:
    """Its serial and seven-digit number, as printed on the receipt: 1C26TAA 0000012."""
    return f"{receipt.serial} {receipt.number:07d}"
