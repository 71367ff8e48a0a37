"""{% payment_section dossier %}: the fees and payments part of the citizen's dossier page."""

from django import template

from egov.payments.models import PaymentStatus
from egov.payments.services import fees, payments

register = template.Library()


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
    }


@register.filter
def dong(amount) -> str:
    """150.000 ₫: the receipts' grouping (the portal's ``vnd`` is the portal's, above us)."""
    if amount in (None, ""):
        return ""
    return f"{int(amount):,}".replace(",", ".") + "\u00a0₫"
