"""Paying a dossier's fees: the IPN's rules (amount, replay, unknown, hash), the citizen's pages,
the desk's record, the receipts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.core.signing.pdf import verify_pdf
from egov.dossiers.models import Status
from egov.payments.models import FeeItem, Payment, PaymentReceipt, PaymentStatus, Relief
from egov.payments.services import fees, payments
from egov.payments.services.receipts import amount_in_words

from ..dossiers.web_support import citizen_login
from .support import CHARGE, FEE, doc_sign, fees_due_dossier, ipn_params, world_with_fees

pytestmark = pytest.mark.django_db
IPN = "/payments/ipn/vnpay/"


@pytest.fixture
def w(db):
    return world_with_fees()


@pytest.fixture
def dossier(w):
    return fees_due_dossier(w)


@pytest.fixture
def payment(w, dossier):
    return payments.start_online(dossier, actor=w.citizen.user, method="vnpay")


def _ipn(client, params):
    response = client.get(IPN, params)
    assert response.status_code == 200
    return response.json()


def test_fee_items_come_from_the_channel_and_make_the_amount_due(w, dossier):
    items = list(dossier.fee_items.all())
    assert [(i.kind, i.code, i.amount_vnd) for i in items] == [
        ("fee", "P01", FEE),
        ("charge", "L01", CHARGE),
    ]
    assert dossier.status == Status.FEES_DUE
    assert dossier.fees_due_vnd == FEE + CHARGE == fees.outstanding(dossier)


def test_a_success_confirms_once_moves_the_dossier_and_issues_two_receipts(
    client, w, dossier, payment
):
    params = ipn_params(payment)
    assert _ipn(client, params) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.gateway_transaction == "14226112"
    assert dossier.status == Status.PROCESSING
    receipts = list(PaymentReceipt.objects.filter(payment=payment))
    assert [(r.kind, r.amount_vnd, r.number) for r in receipts] == [
        ("charge", CHARGE, 1),
        ("fee", FEE, 1),
    ]
    assert receipts[0].serial != receipts[1].serial  # phí and lệ phí: two sequences
    # Replayed: answered "already confirmed", nothing more.
    assert _ipn(client, params)["RspCode"] == "02"
    assert PaymentReceipt.objects.count() == 2
    assert AuditEntry.objects.filter(action="payments.confirm").count() == 1


def test_a_wrong_amount_is_04_and_only_audited(client, dossier, payment):
    before = AuditEntry.objects.count()
    assert _ipn(client, ipn_params(payment, amount_vnd=FEE))["RspCode"] == "04"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert not PaymentReceipt.objects.exists()
    refused = AuditEntry.objects.order_by("-id")[0]
    assert AuditEntry.objects.count() == before + 1
    assert refused.action == "payments.callback_refused"


def test_an_amount_that_no_longer_matches_the_fees_due_is_04(client, w, dossier, payment):
    item = dossier.fee_items.get(kind="fee")
    fees.grant_relief(
        item, actor=w.desk.user, relief=Relief.REDUCED, reason="Hộ nghèo", amount_vnd=10_000
    )
    assert _ipn(client, ipn_params(payment))["RspCode"] == "04"


def test_unknown_reference_is_01_and_bad_hash_97(client, payment):
    params = ipn_params(payment)
    assert _ipn(client, {**params, "vnp_Amount": "1"})["RspCode"] == "97"
    assert _ipn(client, {**params, "vnp_SecureHash": "zz"})["RspCode"] == "97"
    assert _ipn(client, {"vnp_TxnRef": "x"})["RspCode"] == "97"
    unknown = doc_sign(
        {**{k: v for k, v in params.items() if k != "vnp_SecureHash"}, "vnp_TxnRef": "NOPE"}
    )
    assert _ipn(client, unknown)["RspCode"] == "01"
    assert AuditEntry.objects.filter(action="payments.callback_refused").count() == 4
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_a_cancelled_payment_is_recorded_and_a_later_callback_refused(client, dossier, payment):
    assert _ipn(client, ipn_params(payment, code="24", status="02"))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    dossier.refresh_from_db()
    assert dossier.status == Status.FEES_DUE
    # A success for the cancelled payment afterwards: already settled.
    assert _ipn(client, ipn_params(payment))["RspCode"] == "02"
    assert not PaymentReceipt.objects.exists()


def test_a_second_payment_of_a_paid_dossier_is_refused(client, w, dossier, payment):
    second = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    assert _ipn(client, ipn_params(payment))["RspCode"] == "00"
    assert _ipn(client, ipn_params(second))["RspCode"] == "02"
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1
    with pytest.raises(ValidationError):
        payments.start_online(dossier, actor=w.citizen.user, method="vnpay")


def test_the_citizen_pays_from_the_dossier_page_and_comes_back_to_processing(
    client, w, dossier, settings
):
    citizen_login(client, w.citizen)
    page = client.get(reverse("portal:my-dossier", args=[dossier.code]))
    assert reverse("payments:pay", args=[dossier.code]) in page.content.decode()
    response = client.post(reverse("payments:pay", args=[dossier.code]), {"method": "vnpay"})
    assert response.status_code == 302
    assert response["Location"].startswith(settings.EGOV_VNPAY_PAY_URL + "?")
    payment = Payment.objects.get()
    assert f"vnp_Amount={payment.amount_vnd * 100}" in response["Location"]
    # The browser comes back with the gateway's signed result: shown, nothing changed.
    back = client.get(reverse("payments:return", args=["vnpay"]), ipn_params(payment))
    assert back.status_code == 302
    status = client.get(back["Location"])
    assert status["Refresh"] == "3"
    assert "Đang xử lý" in status.content.decode() or "Processing" in status.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    bad = client.get(reverse("payments:return", args=["vnpay"]), {"vnp_TxnRef": "x"})
    assert bad.status_code == 400


def test_another_citizen_cannot_pay_or_see_the_payment(client, w, dossier, payment):
    citizen_login(client, w.other)
    assert client.get(reverse("payments:pay", args=[dossier.code])).status_code == 404
    assert (
        client.post(reverse("payments:pay", args=[dossier.code]), {"method": "vnpay"}).status_code
        == 404
    )
    assert client.get(reverse("payments:status", args=[payment.reference])).status_code == 404
    with pytest.raises(PermissionDenied):
        payments.start_online(dossier, actor=w.other.user, method="vnpay")


def test_the_desk_records_cash_with_a_receipt_number(client, w, dossier):
    client.force_login(w.desk.user)
    url = reverse("payments:desk", args=[dossier.code])
    assert client.post(url, {"method": "cash", "receipt_number": ""}).status_code == 400
    assert client.post(url, {"method": "cash", "receipt_number": "BL-0042"}).status_code == 302
    payment = Payment.objects.get()
    assert (payment.method, payment.status, payment.desk_receipt_number) == (
        "cash",
        "paid",
        "BL-0042",
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert PaymentReceipt.objects.filter(payment=payment).count() == 2
    client.force_login(w.desk_b.user)  # another agency's desk
    assert client.get(url).status_code in {403, 404}


def test_receipts_are_signed_pdfs_in_words_and_gap_free(client, w, dossier, payment):
    _ipn(client, ipn_params(payment))
    second = fees_due_dossier(w)
    payments.record_at_desk(second, actor=w.desk.user, method="transfer", receipt_number="CK-1")
    numbers = sorted(PaymentReceipt.objects.filter(kind="fee").values_list("number", flat=True))
    assert numbers == [1, 2]
    receipt = PaymentReceipt.objects.filter(kind="fee").first()
    assert receipt.amount_words == "Năm mươi nghìn đồng"
    assert not receipt.pdf  # drawn after the commit, by the worker or the first download
    citizen_login(client, w.citizen)
    response = client.get(reverse("payments:receipt", args=[receipt.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    verification = verify_pdf(response.content)
    assert verification.valid, verification
    receipt.refresh_from_db()
    assert bytes(receipt.pdf) == response.content  # drawn once, kept
    citizen_login(client, w.other)
    assert client.get(reverse("payments:receipt", args=[receipt.pk])).status_code == 404


def test_amount_in_words():
    assert amount_in_words(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng"


def test_an_exemption_needs_a_reason(w, dossier):
    item = FeeItem.objects.filter(dossier=dossier).first()
    with pytest.raises(ValidationError):
        fees.grant_relief(item, actor=w.desk.user, relief=Relief.EXEMPT, reason=" ")
    with pytest.raises(PermissionDenied):
        fees.grant_relief(item, actor=w.desk_b.user, relief=Relief.EXEMPT, reason="x")


def test_the_processor_asks_for_payment_from_the_fees_page(client, w):
    from egov.dossiers import services as dossier_services

    from ..dossiers.core_support import submit

    d = dossier_services.receive(submit(w), actor=w.desk.user)
    d = dossier_services.start_processing(d, actor=w.desk.user, assignee=w.processor)
    url = reverse("payments:desk", args=[d.code])
    client.force_login(w.processor.user)
    page = client.get(url).content.decode()
    assert 'value="ask"' in page and 'name="receipt_number"' not in page
    refused = client.post(url, {"method": "cash", "receipt_number": "1"})
    assert refused.status_code == 400  # a processor does not take money
    assert client.post(url, {"act": "ask"}).status_code == 302
    d.refresh_from_db()
    assert (d.status, d.fees_due_vnd) == (Status.FEES_DUE, FEE + CHARGE)
    assert client.post(url, {"act": "ask"}).status_code == 400  # not twice
    client.force_login(w.desk_b.user)
    assert client.get(url).status_code in {403, 404}
