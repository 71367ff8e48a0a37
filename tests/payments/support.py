"""Shared pieces of the payments tests: a dossier with phí and lệ phí in status 6 (fees due),
and an IPN signed the way VNPay's documentation says, written here apart from the adapter."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote_plus

from django.conf import settings

from egov.catalog.models import Fee, FeeKind
from egov.dossiers import services
from egov.payments.services import fees

from ..dossiers.core_support import make_world, submit

FEE, CHARGE = 50_000, 20_000


def world_with_fees():
    w = make_world()
    for channel in w.version.channels.all():
        Fee.objects.create(
            channel=channel,
            kind=FeeKind.FEE,
            code="P01",
            amount_vnd=FEE,
            description="Phí thẩm định hồ sơ",
        )
        Fee.objects.create(
            channel=channel,
            kind=FeeKind.CHARGE,
            code="L01",
            amount_vnd=CHARGE,
            description="Lệ phí cấp giấy xác nhận",
        )
        # A fee the province sets (no amount): not copied, left to the desk.
        Fee.objects.create(channel=channel, kind=FeeKind.FEE, description="Theo quy định")
    return w


def fees_due_dossier(w):
    d = submit(w)
    d = services.receive(d, actor=w.desk.user)
    d = services.start_processing(d, actor=w.desk.user, assignee=w.processor)
    return fees.ask_for_payment(d, actor=w.processor.user)


def doc_sign(params: dict, secret: str | None = None) -> dict:
    """vnp_SecureHash as VNPay's PHP sample makes it: ksort, urlencode(key)=urlencode(value)
    joined with &, hash_hmac('sha512', ..., secret)."""
    secret = settings.EGOV_VNPAY_HASH_SECRET if secret is None else secret
    data = "&".join(f"{quote_plus(k)}={quote_plus(str(params[k]))}" for k in sorted(params))
    out = dict(params)
    out["vnp_SecureHash"] = hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()
    return out


def ipn_params(payment, *, amount_vnd=None, code="00", status="00", **extra) -> dict:
    params = {
        "vnp_TmnCode": settings.EGOV_VNPAY_TMN_CODE,
        "vnp_Amount": str((payment.amount_vnd if amount_vnd is None else amount_vnd) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Thanh toan phi le phi",
        "vnp_PayDate": "20261206153012",
        "vnp_ResponseCode": code,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": payment.reference,
    }
    params.update(extra)
    return doc_sign(params)
