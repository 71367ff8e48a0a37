"""Fees on dossiers, payments and e-receipts (biên lai điện tử).

A dossier's fee items (phí and lệ phí apart) are copied from its channel's fees when the dossier is
made; what is due is their total after exemptions (miễn) and reductions (giảm). A payment is one
attempt to pay what is due, online through a gateway or at the desk; its statuses are the payment's
act table (egov.payments.acts). A paid payment gets one receipt per kind of fee.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.catalog.models import FeeKind


class Relief(models.TextChoices):
    NONE = "", _("None")
    EXEMPT = "exempt", _("Exempt")
    REDUCED = "reduced", _("Reduced")


class FeeItem(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="fee_items"
    )
    # FeeKind.FEE is phí, FeeKind.CHARGE lệ phí: they are collected and receipted apart.
    kind = models.CharField(_("kind"), max_length=8, choices=FeeKind.choices)
    code = models.CharField(_("code"), max_length=64, blank=True, default="")
    name = models.TextField(_("name"))
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    relief = models.CharField(
        _("exemption or reduction"), max_length=8, choices=Relief.choices, blank=True, default=""
    )
    relief_vnd = models.PositiveBigIntegerField(_("reduction (VND)"), default=0)
    relief_reason = models.TextField(_("reason for the exemption or reduction"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["dossier_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(relief_vnd__lte=models.F("amount_vnd")), name="relief_within_amount"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.due_vnd} VND"

    @property
    def due_vnd(self) -> int:
        if self.relief == Relief.EXEMPT:
            return 0
        return self.amount_vnd - (self.relief_vnd if self.relief == Relief.REDUCED else 0)


class Method(models.TextChoices):
    VNPAY = "vnpay", _("VNPay (card, bank account, QR)")
    DVCQG = "dvcqg", _("The National Public Service Portal's payment platform")
    CASH = "cash", _("Cash at the desk")
    TRANSFER = "transfer", _("Bank transfer (recorded at the desk)")


ONLINE_METHODS = (Method.DVCQG, Method.VNPAY)
DESK_METHODS = (Method.CASH, Method.TRANSFER)


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the gateway")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Payment(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    # Our order reference, sent to the gateway (vnp_TxnRef): unique, letters and digits.
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payer_name = models.CharField(_("payer"), max_length=255)
    # The gateway's own numbers (vnp_TransactionNo, vnp_BankCode), or the desk's receipt number.
    gateway_transaction = models.CharField(max_length=64, blank=True, default="")
    bank_code = models.CharField(max_length=32, blank=True, default="")
    desk_receipt_number = models.CharField(
        _("receipt number"), max_length=64, blank=True, default=""
    )
    gateway_code = models.CharField(max_length=8, blank=True, default="")
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-id"]
        constraints = [
            # The last guard against paying a dossier twice: one paid payment per dossier.
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status="paid"), name="one_paid_payment_per_dossier"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested from the gateway")
    DONE = "done", _("Refunded")
    REFUSED = "refused", _("Refused by the gateway")


class Refund(models.Model):
    """Hoàn phí: money given back for a paid payment (all or part), with the reason and who
    approved it; sent to the gateway through the outbox; its own receipt number once done."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"))
    status = models.CharField(
        _("status"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    gateway_code = models.CharField(max_length=8, blank=True, default="")
    done_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    serial = models.CharField(_("serial"), max_length=16, blank=True, default="")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    # The refund's own receipt (services.refund_receipts): the words fixed with the number once
    # the gateway accepts; the signed PDF drawn by the worker after commit, or at first download.
    amount_words = models.TextField(_("amount in words"), blank=True, default="")
    pdf = models.BinaryField(_("signed PDF"), blank=True, default=b"")

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.amount_vnd} VND"


class ReceiptSequence(models.Model):
    """The last receipt number of one agency's receipt serial (ký hiệu), drawn gap-free with
    egov.core.numbering.draw."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE)
    serial = models.CharField(max_length=16)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "serial"], name="receipt_serial")
        ]

    def __str__(self) -> str:
        return f"{self.serial}: {self.last}"


class PaymentReceipt(models.Model):
    """An e-receipt (biên lai điện tử) for the phí or the lệ phí of one paid payment."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="receipts")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payment_receipts"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=FeeKind.choices)
    agency = models.ForeignKey(
        "core.Organisation", verbose_name=_("collecting agency"), on_delete=models.PROTECT
    )
    template_symbol = models.CharField(_("template symbol"), max_length=16)
    serial = models.CharField(_("serial"), max_length=16)
    number = models.PositiveIntegerField(_("number"))
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    amount_words = models.TextField(_("amount in words"))
    payer_name = models.CharField(_("payer"), max_length=255)
    issued_at = models.DateTimeField(_("issued"))
    # Empty until the worker (or the first download) draws and seals it.
    pdf = models.BinaryField(_("signed PDF"), blank=True, default=b"")

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "serial", "number"], name="one_receipt_per_number"
            ),
            models.UniqueConstraint(fields=["payment", "kind"], name="one_receipt_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.number:07d}"
