"""The whole journey over HTTP against the VNPay sandbox (sandboxes/vnpay, a separate program):
the platform's payment URL must satisfy the sandbox's own hash check, the sandbox's signed IPN must
satisfy the platform's, and querydr and refund answers must verify both ways."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from egov.core.signing.pdf import verify_pdf
from egov.dossiers.models import Status
from egov.payments.gateways import national, vnpay
from egov.payments.gateways.sandbox import dvcqg_environment, environment
from egov.payments.models import Payment, PaymentReceipt, PaymentStatus, Refund, RefundStatus
from egov.payments.services import refunds, statement
from egov.payments.services.reconciliation import reconcile

from ..dossiers.web_support import citizen_login
from .support import CHARGE, FEE, fees_due_dossier, world_with_fees

# Every URL opened here is the sandbox's loopback http address.
# ruff: noqa: S310
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PROGRAM = Path(__file__).resolve().parents[2] / "sandboxes" / "vnpay" / "server.py"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_browser = urllib.request.build_opener(_NoRedirect)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _sandbox(ipn_url: str, settings):
    port = _free_port()
    env = environment(ipn_url, port)
    process = subprocess.Popen(
        [sys.executable, str(PROGRAM)], env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    settings.EGOV_VNPAY_PAY_URL = f"{url}/paymentv2/vpcpay.html"
    settings.EGOV_VNPAY_API_URL = f"{url}/merchant_webapi/api/transaction"
    try:
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def sandbox(live_server, settings):
    with _sandbox(f"{live_server.url}/payments/ipn/vnpay/", settings) as url:
        yield url


@pytest.fixture
def deaf_sandbox(settings):
    """A sandbox whose IPNs get nowhere (the platform was down): reconciliation must find out."""
    with _sandbox(f"http://127.0.0.1:{_free_port()}/payments/ipn/vnpay/", settings) as url:
        yield url


def _to_gateway(client, dossier) -> tuple[str, str]:
    """The citizen picks VNPay: the gateway's page and the order's reference."""
    response = client.post(reverse("payments:pay", args=[dossier.code]), {"method": "vnpay"})
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"]) as page:
        text = page.read().decode()
    reference = html.unescape(re.search(r'name="ref" value="([^"]+)"', text).group(1))
    return text, reference


def _decide(url, reference, choice):
    data = urllib.parse.urlencode({"ref": reference, "choice": choice}).encode()
    try:
        response = _browser.open(f"{url}/paymentv2/decide", data=data)
        return response.status, response.headers.get("Location"), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location"), exc.read().decode()


@pytest.mark.outbox
def test_pay_confirm_query_and_refund_through_the_sandbox(client, sandbox):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    page, reference = _to_gateway(client, dossier)
    assert f"{FEE + CHARGE:,}".replace(",", ".") in page
    status, location, _ = _decide(sandbox, reference, "pay")
    assert status == 302
    # The sandbox's IPN reached the platform and was confirmed before the browser came back.
    payment = Payment.objects.get(reference=reference)
    assert payment.status == PaymentStatus.PAID
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert PaymentReceipt.objects.filter(payment=payment).count() == 2
    # The worker draws and seals the receipts after the callback's commit.
    call_command("worker", batch=True)
    for receipt in PaymentReceipt.objects.filter(payment=payment):
        assert verify_pdf(bytes(receipt.pdf)).valid
    with urllib.request.urlopen(f"{sandbox}/sandbox/ipn-log") as log:
        assert b'"RspCode": "00"' in log.read()
    # The browser's return: shown, nothing changes.
    back = client.get(urllib.parse.urlsplit(location).path + "?" + location.split("?", 1)[1])
    assert back.status_code == 302
    assert client.get(back["Location"]).status_code == 200
    gateway = vnpay.from_settings()
    assert gateway.query(payment, client_ip="127.0.0.1", now=timezone.now()).state == "paid"
    over = gateway.refund(
        payment, FEE + CHARGE + 1, by="desk_a", client_ip="127.0.0.1", now=timezone.now()
    )
    assert not over.accepted and over.code == "03"
    part = gateway.refund(payment, 10_000, by="desk_a", client_ip="127.0.0.1", now=timezone.now())
    assert part.accepted


def test_later_leaves_it_pending_and_cancel_is_recorded(client, sandbox):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    _, reference = _to_gateway(client, dossier)
    status, _, text = _decide(sandbox, reference, "later")
    assert status == 200 and "chờ" in text
    payment = Payment.objects.get(reference=reference)
    assert payment.status == PaymentStatus.PENDING
    gateway = vnpay.from_settings()
    assert gateway.query(payment, client_ip="127.0.0.1", now=timezone.now()).state == "pending"
    status, _, _ = _decide(sandbox, reference, "cancel")
    assert status == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    dossier.refresh_from_db()
    assert dossier.status == Status.FEES_DUE


def test_the_sandbox_refuses_a_tampered_payment_url(client, sandbox):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    response = client.post(reverse("payments:pay", args=[dossier.code]), {"method": "vnpay"})
    tampered = response["Location"].replace("vnp_Amount=7000000", "vnp_Amount=100000")
    assert tampered != response["Location"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(tampered)
    assert refused.value.code == 400
    assert settings.EGOV_VNPAY_PAY_URL.startswith(sandbox)


def test_reconciliation_finds_a_payment_whose_callback_was_lost(client, deaf_sandbox):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    _, paid_ref = _to_gateway(client, dossier)
    assert _decide(deaf_sandbox, paid_ref, "pay")[0] == 302
    other = fees_due_dossier(w)
    _, later_ref = _to_gateway(client, other)
    assert _decide(deaf_sandbox, later_ref, "later")[0] == 200
    assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}
    gateways = {"vnpay": vnpay.from_settings()}
    # Not yet: the payments are younger than the delay.
    assert reconcile(gateways, after=dt.timedelta(minutes=15))["queried"] == 0
    counts = reconcile(gateways, after=dt.timedelta(0))
    assert counts == {
        "queried": 2,
        "paid": 1,
        "failed": 0,
        "pending": 1,
        "cancelled": 0,
        "errors": 0,
    }
    paid = Payment.objects.get(reference=paid_ref)
    assert paid.status == PaymentStatus.PAID and paid.gateway_transaction
    assert PaymentReceipt.objects.filter(payment=paid).count() == 2
    assert Payment.objects.get(reference=later_ref).status == PaymentStatus.PENDING
    # A second run changes nothing more.
    assert reconcile(gateways, after=dt.timedelta(0))["paid"] == 0


@pytest.mark.outbox
def test_a_refund_goes_to_the_gateway_through_the_outbox(client, sandbox):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    _, reference = _to_gateway(client, dossier)
    _decide(sandbox, reference, "pay")
    payment = Payment.objects.get(reference=reference)
    with pytest.raises(ValidationError):
        refunds.request_refund(payment, actor=w.approver.user, amount_vnd=10_000, reason=" ")
    with pytest.raises(ValidationError):
        refunds.request_refund(
            payment, actor=w.approver.user, amount_vnd=FEE + CHARGE + 1, reason="Từ chối"
        )
    with pytest.raises(PermissionDenied):  # another commune's leader
        refunds.request_refund(payment, actor=w.desk_b.user, amount_vnd=1, reason="x")
    client.force_login(w.approver.user)
    page = reverse("payments:refund", args=[reference])
    response = client.post(page, {"amount_vnd": "10000", "reason": "Hồ sơ bị từ chối một phần"})
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.REQUESTED  # nothing sent inside the transaction
    call_command("worker", batch=True)
    refund.refresh_from_db()
    assert (refund.status, refund.gateway_code, refund.number) == (RefundStatus.DONE, "00", 1)
    assert refunds.refundable(payment) == FEE + CHARGE - 10_000
    with urllib.request.urlopen(f"{sandbox}/sandbox/orders/{reference}") as order:
        assert json.loads(order.read())["refunded"] == 10_000 * 100
    assert client.get(page).status_code == 200


DVCQG_PROGRAM = Path(__file__).resolve().parents[2] / "sandboxes" / "dvcqg" / "server.py"


@pytest.fixture
def platform(live_server, settings):
    port = _free_port()
    env = dvcqg_environment(live_server.url, port)
    process = subprocess.Popen(
        [sys.executable, str(DVCQG_PROGRAM)],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    settings.EGOV_DVCQG_PAY_INIT_URL = f"{url}/init"
    settings.EGOV_DVCQG_PAY_QUERY_URL = f"{url}/query"
    settings.EGOV_DVCQG_PAY_BILL_URL = f"{url}/getbill"
    try:
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_pay_through_the_national_payment_platform_sandbox(client, platform):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    response = client.post(reverse("payments:pay", args=[dossier.code]), {"method": "dvcqg"})
    # INIT went to the platform, which checked MaXacThuc and that PhiLePhi adds up to SoTien.
    assert response.status_code == 302 and response["Location"].startswith(f"{platform}/pay/")
    payment = Payment.objects.get()
    with urllib.request.urlopen(response["Location"]) as page:
        text = page.read().decode()
    assert "Lệ phí cấp giấy xác nhận" in text and "LePhi" in text
    gateway = national.from_settings()
    assert gateway.query(payment, client_ip="", now=timezone.now()).state == "pending"
    data = urllib.parse.urlencode({"choice": "pay"}).encode()
    back = None
    try:
        _browser.open(response["Location"], data=data)
    except urllib.error.HTTPError as exc:
        back = exc
    assert back.code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    with urllib.request.urlopen(f"{platform}/sandbox/callbacks") as log:
        [entry] = json.loads(log.read())
    assert entry["answer"]["MaLoi"] == "00" and entry["answer"]["_verified"] is True
    location = back.headers["Location"]
    returned = client.get(urllib.parse.urlsplit(location).path + "?" + location.split("?", 1)[1])
    assert returned.status_code == 302
    assert gateway.query(payment, client_ip="", now=timezone.now()).state == "paid"
    assert gateway.get_bill(payment, now=timezone.now()).startswith(b"%PDF-")
    assert not gateway.refund(payment, 1).accepted


def test_an_unreachable_platform_is_a_503_with_a_message(client, settings):
    settings.EGOV_DVCQG_PAY_INIT_URL = f"http://127.0.0.1:{_free_port()}/init"
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    response = client.post(reverse("payments:pay", args=[dossier.code]), {"method": "dvcqg"})
    assert response.status_code == 503
    assert "cổng thanh toán" in response.content.decode()


def test_the_sandbox_statement_agrees_and_a_tampered_amount_does_not(client, sandbox):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    citizen_login(client, w.citizen)
    _, reference = _to_gateway(client, dossier)
    assert _decide(sandbox, reference, "pay")[0] == 302
    day = timezone.localdate()
    with urllib.request.urlopen(f"{sandbox}/sandbox/statement?date={day:%Y%m%d}") as response:
        data = response.read()
    assert data.startswith(b"\xef\xbb\xbf") and reference.encode() in data
    check = statement.check_statement(data, day=day, actor=w.desk.user)
    assert check.mismatches == [] and check.matched == 1
    paid = f"{FEE + CHARGE:,}".replace(",", ".").encode()
    tampered = data.replace(b"," + paid + b",", b",70.001,")
    assert tampered != data
    check = statement.check_statement(tampered, day=day, actor=w.desk.user)
    assert [(m.kind, m.reference, m.gateway_amount_vnd) for m in check.mismatches] == [
        (statement.Kind.AMOUNT, reference, 70_001)
    ]
