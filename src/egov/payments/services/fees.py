"""A dossier's fee items: copied from its channel's fees when it is made, exemptions and
reductions recorded with a reason, what is still due, and the move to status 6 (fees due)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.catalog.models import Fee, FeeKind
from egov.core.services import audit
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.payments import scopes
from egov.payments.models import FeeItem, Payment, PaymentStatus, Relief


def on_dossier_saved(sender, instance: Dossier, created: bool, raw: bool = False, **kwargs):
    """post_save of a dossier: a new one gets its channel's fees (in the intake's transaction)."""
    if created and not raw and instance.channel_id:
        record_fee_items(instance)


def _name(fee: Fee) -> str:
    if fee.description:
        return fee.description[:500]
    return str(FeeKind(fee.kind).label) if fee.kind in FeeKind.values else fee.kind


def record_fee_items(dossier: Dossier) -> list[FeeItem]:
    """The channel's fees with an amount, as the dossier's fee items. Fees without an amount
    (set by the province, varying) are left to the desk."""
    fees = [f for f in Fee.objects.filter(channel_id=dossier.channel_id) if f.amount_vnd]
    items = FeeItem.objects.bulk_create(
        FeeItem(
            dossier=dossier,
            kind=fee.kind,
            code=fee.code,
            name=_name(fee),
            amount_vnd=fee.amount_vnd,
            order=i,
        )
        for i, fee in enumerate(fees)
    )
    return items


def total_due(dossier: Dossier) -> int:
    return sum(item.due_vnd for item in dossier.fee_items.all())


def paid(dossier: Dossier) -> int:
    total = Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID).aggregate(
        s=Sum("amount_vnd")
    )["s"]
    return total or 0


def outstanding(dossier: Dossier) -> int:
    """What the applicant still owes: the fee items after reliefs, less what was paid."""
    return max(total_due(dossier) - paid(dossier), 0)


def by_kind(dossier: Dossier) -> dict[str, int]:
    """What is due per kind (phí, lệ phí): each gets its own receipt."""
    out: dict[str, int] = {}
    for item in dossier.fee_items.all():
        if item.due_vnd:
            out[item.kind] = out.get(item.kind, 0) + item.due_vnd
    return out


def grant_relief(item: FeeItem, *, actor, relief: str, reason: str, amount_vnd: int = 0):
    """Exempt (miễn) or reduce (giảm) one fee item, with the reason. Scope payments.collect."""
    reason = (reason or "").strip()
    if relief not in {Relief.EXEMPT, Relief.REDUCED}:
        raise ValidationError(_("Choose an exemption or a reduction."))
    if not reason:
        raise ValidationError(_("Give the reason for the exemption or reduction."))
    with transaction.atomic():
        item = FeeItem.objects.select_for_update().select_related("dossier").get(pk=item.pk)
        decision = authorise(actor, scopes.COLLECT, item.dossier)
        if relief == Relief.REDUCED and not (0 < int(amount_vnd) <= item.amount_vnd):
            raise ValidationError(_("The reduction must be more than 0 and at most the fee."))
        if paid(item.dossier):
            raise ValidationError(_("The fees of this dossier are already paid."))
        item.relief = relief
        item.relief_vnd = int(amount_vnd) if relief == Relief.REDUCED else item.amount_vnd
        item.relief_reason = reason
        item.save(update_fields=["relief", "relief_vnd", "relief_reason"])
        audit.record(
            actor=actor,
            action="payments.relief",
            obj=item,
            organisation=item.dossier.organisation,
            summary={"relief": relief, "amount_vnd": item.relief_vnd, "decision": decision},
        )
    return item


def ask_for_payment(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """4 → 6: the dossier's fees are due, for the amount its fee items say (the dossiers' act
    require_fees, which checks the processor's scope and audits)."""
    due = outstanding(dossier)
    if due <= 0:
        raise ValidationError(_("This dossier has no fees to pay."))
    return dossier_services.require_fees(dossier, actor=actor, amount_vnd=due, note=note)


def authorise(actor, scope: str, dossier: Dossier) -> str:
    """The policy's decision for ``scope`` at the dossier; PermissionDenied otherwise."""
    decision = policy.decide(actor, scope, dossier)
    if not decision.allowed:
        raise PermissionDenied(_("You may not do this to this dossier."))
    return decision.reason or "grant"
