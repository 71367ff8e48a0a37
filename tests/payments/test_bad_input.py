"""The issue's bad input not covered elsewhere, each refused with a clear answer and nothing
recorded but one audit line: a callback for a cancelled or refunded payment (both protocols), a
refund above what was paid, a payment for someone else's dossier, a second payment of a paid
dossier (test_payments.py and test_national.py cover the wrong hash, wrong amount, unknown order).
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from egov.core.models import AuditEntry, OutboxMessage
from egov.core.services import outbox
from egov.dossiers.models import Dossier, Status
from egov.payments.gateways import RefundResult
from egov.payments.models import FeeItem, Payment, PaymentReceipt, PaymentStatus, Refund
from egov.payments.services import payments, refunds

from ..dossiers.web_support import citizen_login
from .support import CHARGE, FEE, fees_due_dossier, ipn_params, world_with_fees
from .test_national import _signed

pytestmark = pytest.mark.django_db
VNPAY_IPN = "/payments/ipn/vnpay/"
DVCQG_IPN = "/payments/ipn/dvcqg/"


@pytest.fixture
def w(db):
    return world_with_fees()


def state():
    """Everything a refused input must leave as it was (the audit log apart)."""
    return {
        "payments": sorted(Payment.objects.values_list("reference", "status", "amount_vnd")),
        "dossiers": sorted(Dossier.objects.values_list("code", "status", "fees_due_vnd")),
        "receipts": sorted(PaymentReceipt.objects.values_list("serial", "number")),
        "refunds": sorted(Refund.objects.values_list("id", "status", "amount_vnd", "number")),
        "fee_items": sorted(FeeItem.objects.values_list("id", "relief", "relief_vnd")),
        "outbox": OutboxMessage.objects.count(),
    }


class Refused:
    """``with Refused("payments.x"):`` the block changes nothing but one audit line ``action``."""

    def __init__(self, action: str):
        self.action = action

    def __enter__(self):
        self.before, self.last = state(), AuditEntry.objects.order_by("-id").first()
        return self

    def __exit__(self, *exc):
        assert state() == self.before
        new = AuditEntry.objects.filter(id__gt=self.last.id if self.last else 0)
        assert list(new.values_list("action", flat=True)) == [self.action]
        return False


def _vnpay(client, params) -> str:
    response = client.get(VNPAY_IPN, params)
    assert response.status_code == 200
    return response.json()["RspCode"]


def _dvcqg(client, body) -> str:
    response = client.post(DVCQG_IPN, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return response.json()["MaLoi"]


def _refund_done(w, payment, amount, monkeypatch):
    class Gateway:
        def refund(self, payment, amount_vnd, **kwargs):
            return RefundResult(accepted=True, code="00")

    monkeypatch.setattr(refunds, "gateway", lambda method: Gateway())
    refund = refunds.request_refund(payment, actor=w.approver.user, amount_vnd=amount, reason="x")
    outbox.run(OutboxMessage.objects.get(key=f"refund-{refund.pk}").pk, early=True)
    refund.refresh_from_db()
    assert refund.number is not None
    return refund


@pytest.mark.parametrize("method", ["vnpay", "dvcqg"])
def test_a_callback_for_a_cancelled_payment_is_refused(client, w, method):
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method=method)
    if method == "vnpay":
        assert _vnpay(client, ipn_params(payment, code="24", status="02")) == "00"
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.CANCELLED
        with Refused("payments.callback_refused"):
            assert _vnpay(client, ipn_params(payment)) == "02"
    else:
        # The platform reports a failure; then a success for the same reference comes late.
        assert _dvcqg(client, _signed(payment, MaLoi="01")) == "00"
        payment.refresh_from_db()
        assert payment.status in {PaymentStatus.FAILED, PaymentStatus.CANCELLED}
        with Refused("payments.callback_refused"):
            assert _dvcqg(client, _signed(payment)) == "02"


@pytest.mark.parametrize("method", ["vnpay", "dvcqg"])
def test_a_callback_for_a_refunded_payment_is_refused(client, w, method, monkeypatch):
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method=method)
    if method == "vnpay":
        assert _vnpay(client, ipn_params(payment)) == "00"
    else:
        assert _dvcqg(client, _signed(payment)) == "00"
    _refund_done(w, payment, FEE + CHARGE, monkeypatch)
    # Replayed success, then a failure for the same reference: the payment stays paid and
    # refunded, no second receipt, the dossier is not asked to pay again.
    for attempt in range(2):
        with Refused("payments.callback_refused"):
            if method == "vnpay":
                params = ipn_params(payment, **({"vnp_ResponseCode": "24"} if attempt else {}))
                assert _vnpay(client, params) == "02"
            else:
                body = _signed(payment, **({"MaLoi": "01"} if attempt else {}))
                assert _dvcqg(client, body) == "02"


def test_a_refund_above_what_was_paid_is_refused(client, w, monkeypatch):
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    assert _vnpay(client, ipn_params(payment)) == "00"
    page = reverse("payments:refund", args=[payment.reference])
    client.force_login(w.approver.user)
    with Refused("payments.refund_request_refused"):
        response = client.post(
            page, {"amount_vnd": str(FEE + CHARGE + 1), "reason": "Quá số đã nộp"}
        )
        assert response.status_code == 400
        assert "không quá 70000 đồng" in response.content.decode()  # Vietnamese, the most
    # After a part refund, the rest is the most.
    _refund_done(w, payment, 60_000, monkeypatch)
    with Refused("payments.refund_request_refused"), pytest.raises(ValidationError):
        refunds.request_refund(payment, actor=w.approver.user, amount_vnd=10_001, reason="Quá")
    for bad in ("-1", "0", "1.5", "abc", ""):
        with Refused("payments.refund_request_refused"):
            assert client.post(page, {"amount_vnd": bad, "reason": "x"}).status_code == 400
    # Another agency's leader: refused, audited, nothing written.
    with Refused("payments.refund_request_refused"), pytest.raises(PermissionDenied):
        refunds.request_refund(payment, actor=w.desk_b.user, amount_vnd=1, reason="x")


def test_a_payment_for_someone_elses_dossier_is_refused(client, w):
    dossier = fees_due_dossier(w)
    with Refused("payments.start_refused"), pytest.raises(PermissionDenied):
        payments.start_online(dossier, actor=w.other.user, method="vnpay")
    citizen_login(client, w.other)
    before = state()
    for method in ("vnpay", "dvcqg"):
        page = reverse("payments:pay", args=[dossier.code])
        assert client.post(page, {"method": method}).status_code == 404
    assert state() == before
    # An official of the agency is not the applicant either.
    with Refused("payments.start_refused"), pytest.raises(PermissionDenied):
        payments.start_online(dossier, actor=w.desk.user, method="vnpay")


def test_a_second_payment_of_a_paid_dossier_is_refused(client, w):
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    assert _vnpay(client, ipn_params(payment)) == "00"
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    with Refused("payments.start_refused"), pytest.raises(ValidationError):
        payments.start_online(dossier, actor=w.citizen.user, method="dvcqg")
    citizen_login(client, w.citizen)
    with Refused("payments.start_refused"):
        response = client.post(reverse("payments:pay", args=[dossier.code]), {"method": "vnpay"})
        assert response.status_code == 400
        assert "Hồ sơ này" in response.content.decode()
    # At the desk too: nothing is due any more.
    with pytest.raises(ValidationError):
        payments.record_at_desk(dossier, actor=w.desk.user, method="cash", receipt_number="B-2")
    assert Payment.objects.filter(dossier=dossier).count() == 1


def test_a_refund_typed_the_vietnamese_way_keeps_its_zeros(client, w):
    """ "60.000" on the refund page is 60000 đồng (int() refused it as "more than 0"); what is
    not an amount is refused in Vietnamese, audited, nothing written."""
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    assert _vnpay(client, ipn_params(payment)) == "00"
    page = reverse("payments:refund", args=[payment.reference])
    client.force_login(w.approver.user)
    for bad in ("6o.000", "60.00", "60,5"):
        with Refused("payments.refund_request_refused"):
            response = client.post(page, {"amount_vnd": bad, "reason": "Nộp thừa"})
            assert response.status_code == 400
            assert "phân cách hàng nghìn bằng dấu chấm" in response.content.decode()
    assert client.post(page, {"amount_vnd": "60.000", "reason": "Nộp thừa"}).status_code == 302
    assert Refund.objects.get().amount_vnd == 60_000
