"""A refund's own receipt (gap-free number, words, sealed PDF) and the refund offered when a
dossier ends without its result after it was paid."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from egov.core.models import OutboxMessage
from egov.core.services import outbox
from egov.core.signing.pdf import verify_pdf
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Status
from egov.payments.gateways import RefundResult
from egov.payments.models import Payment, Refund, RefundStatus
from egov.payments.services import payments, refund_receipts, refunds

from ..dossiers.web_support import citizen_login
from .support import CHARGE, FEE, fees_due_dossier, ipn_params, world_with_fees

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return world_with_fees()


class _Gateway:
    """The gateway's refund call answered at once (the sandbox journey is in test_sandbox)."""

    def __init__(self, accepted=True):
        self.accepted = accepted

    def refund(self, payment, amount_vnd, **kwargs):
        return RefundResult(accepted=self.accepted, code="00" if self.accepted else "94")


@pytest.fixture
def gateway(monkeypatch):
    fake = _Gateway()
    monkeypatch.setattr(refunds, "gateway", lambda method: fake)
    return fake


def _paid(client, w) -> Payment:
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    assert client.get("/payments/ipn/vnpay/", ipn_params(payment)).json()["RspCode"] == "00"
    payment.refresh_from_db()
    return payment


def _refund(w, payment, amount, django_capture_on_commit_callbacks) -> Refund:
    refund = refunds.request_refund(
        payment, actor=w.approver.user, amount_vnd=amount, reason="Dừng xử lý"
    )
    message = OutboxMessage.objects.get(kind=refunds.KIND, key=f"refund-{refund.pk}")
    with django_capture_on_commit_callbacks() as callbacks:
        outbox.run(message.pk, early=True)
    refund.refresh_from_db()
    return refund, callbacks


def test_a_done_refund_gets_a_gap_free_number_words_and_a_sealed_pdf(
    client, w, gateway, django_capture_on_commit_callbacks
):
    first = _paid(client, w)
    second = _paid(client, w)
    a, callbacks = _refund(w, first, 15_000, django_capture_on_commit_callbacks)
    b, _ = _refund(w, second, FEE + CHARGE, django_capture_on_commit_callbacks)
    c, _ = _refund(w, first, 5_000, django_capture_on_commit_callbacks)
    assert [r.status for r in (a, b, c)] == [RefundStatus.DONE] * 3
    assert a.serial == b.serial == c.serial and a.serial.startswith("HT/")
    assert [a.number, b.number, c.number] == [1, 2, 3]  # one sequence per agency and serial
    assert a.amount_words == "Mười lăm nghìn đồng"
    assert b.amount_words == "Bảy mươi nghìn đồng"
    # The PDF is drawn after commit (the worker's task is enqueued then), not in the transaction.
    # (Other apps' caches also move after the commit of an audited change: count ours.)
    ours = [c for c in callbacks if c.__module__ == refund_receipts.__name__]
    assert a.pdf == b"" and len(ours) == 1
    assert refund_receipts.ensure_pdf(a.pk) is True
    assert refund_receipts.ensure_pdf(a.pk) is False  # once
    a.refresh_from_db()
    status = verify_pdf(bytes(a.pdf))
    assert status.intact and status.valid
    text = bytes(a.pdf)
    assert text.startswith(b"%PDF")


def test_the_refund_receipt_is_downloaded_by_the_applicant_and_the_agency_only(
    client, w, gateway, django_capture_on_commit_callbacks
):
    payment = _paid(client, w)
    refund, _ = _refund(w, payment, 20_000, django_capture_on_commit_callbacks)
    url = reverse("payments:refund_receipt", args=[refund.pk])
    citizen_login(client, w.citizen)
    response = client.get(url)  # drawn at the first download
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "hoan-tra-HT-" in response["Content-Disposition"]
    assert verify_pdf(response.content).valid
    client.force_login(w.desk.user)
    assert client.get(url).status_code == 200
    for outsider in (w.other.user, w.desk_b.user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    # A refund not done (no number) has no receipt.
    pending = refunds.request_refund(
        payment, actor=w.approver.user, amount_vnd=1_000, reason="Thêm"
    )
    client.force_login(w.desk.user)
    assert client.get(reverse("payments:refund_receipt", args=[pending.pk])).status_code == 404
    # The refund page links to it.
    client.force_login(w.approver.user)
    page = client.get(reverse("payments:refund", args=[payment.reference])).content.decode()
    assert url in page


def test_a_refused_refund_gets_no_number(
    client, w, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(refunds, "gateway", lambda method: _Gateway(accepted=False))
    payment = _paid(client, w)
    refund, callbacks = _refund(w, payment, 20_000, django_capture_on_commit_callbacks)
    assert (refund.status, refund.number, refund.amount_words) == (RefundStatus.REFUSED, None, "")
    assert callbacks == []
    assert refund_receipts.ensure_pdf(refund.pk) is False


def test_a_dossier_stopped_after_payment_is_offered_a_refund(
    client, w, gateway, django_capture_on_commit_callbacks
):
    payment = _paid(client, w)
    dossier = payment.dossier
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert refunds.offered(dossier) == []  # still processing: nothing owed
    desk_page = reverse("payments:desk", args=[dossier.code])
    client.force_login(w.approver.user)
    assert "refund-offer" not in client.get(desk_page).content.decode()

    dossier = dossier_services.stop(dossier, actor=w.approver.user, reason="Không đủ điều kiện")
    assert dossier.status == Status.STOPPED
    assert [(p.pk, owed) for p, owed in refunds.offered(dossier)] == [(payment.pk, FEE + CHARGE)]
    page = client.get(desk_page).content.decode()
    assert "refund-offer" in page
    assert reverse("payments:refund", args=[payment.reference]) in page
    # The citizen's dossier page says what is owed to them.
    citizen_login(client, w.citizen)
    mine = client.get(reverse("portal:my-dossier", args=[dossier.code])).content.decode()
    assert "refund-owed" in mine and "70.000" in mine

    # Part refunded: the rest is still offered; all refunded: no more offer.
    first, _ = _refund(w, payment, 50_000, django_capture_on_commit_callbacks)
    assert [owed for _, owed in refunds.offered(dossier)] == [20_000]
    second, _ = _refund(w, payment, 20_000, django_capture_on_commit_callbacks)
    assert refunds.offered(dossier) == []
    client.force_login(w.approver.user)
    page = client.get(desk_page).content.decode()
    assert "refund-offer" not in page
    for refund in (first, second):  # each refund's receipt, once
        assert page.count(reverse("payments:refund_receipt", args=[refund.pk])) == 1


def test_the_api_lists_refunds_with_their_numbers_in_bounded_queries(
    client, w, gateway, django_capture_on_commit_callbacks, django_assert_num_queries
):
    paid = [_paid(client, w) for _ in range(3)]
    client.force_login(w.desk.user)
    with CaptureQueriesContext(connection) as without_refunds:
        client.get("/api/v1/payments/")
    for payment in paid:
        _refund(w, payment, 10_000, django_capture_on_commit_callbacks)
        _refund(w, payment, 5_000, django_capture_on_commit_callbacks)
    # Six refunds add no query: they come with one prefetch whatever their number.
    with django_assert_num_queries(len(without_refunds.captured_queries)):
        rows = client.get("/api/v1/payments/").json()["results"]
    assert sorted(r["number"] for row in rows for r in row["refunds"]) == [1, 2, 3, 4, 5, 6]
    first = next(r for r in rows if r["reference"] == paid[0].reference)
    assert [(r["amount_vnd"], r["status"], r["amount_words"]) for r in first["refunds"]] == [
        (10_000, "done", "Mười nghìn đồng"),
        (5_000, "done", "Năm nghìn đồng"),
    ]
