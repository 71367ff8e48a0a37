"""Paying a dossier's fees in Chromium: the processor asks for the fees from the dossier's page
(its link to the fees page), the citizen pays through the VNPay sandbox (sandboxes/vnpay, a
separate program) and comes back to the payment's page, which says "processing" until the
gateway's IPN arrives and then turns to paid by itself (its Refresh header: no JavaScript
needed); the receipt downloads as a PDF; the desk's and the leader's pages show it paid. axe-core
finds no violations on any payments page on the way.

The IPN is held back on purpose: the sandbox sends it before it sends the browser back, so the
test points the sandbox at a small relay that answers at once and forwards the same signed IPN
to the platform only after the browser has seen "processing"."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from egov.core.signing import ensure_ca
from egov.dossiers import services
from egov.dossiers.models import Status
from egov.payments.models import Payment, PaymentStatus
from tests.browser.conftest import axe_violations
from tests.dossiers.core_support import submit
from tests.dossiers.web_support import citizen_login
from tests.payments.support import world_with_fees
from tests.payments.test_sandbox import _sandbox

# The relay and the sandbox are loopback http addresses of this test.
# ruff: noqa: S310
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Relay:
    """Where the sandbox sends its IPN: kept, answered at once, forwarded when the test says."""

    def __init__(self):
        self.held: list[str] = []
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt, *args):
                pass

            def do_GET(self):
                relay.held.append(self.path)
                body = json.dumps({"RspCode": "99", "Message": "held by the test"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/payments/ipn/vnpay/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, base_url: str) -> dict:
        path = self.held.pop()
        with urllib.request.urlopen(base_url + path, timeout=30) as response:
            return json.loads(response.read())

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _cookie(client: Client, base_url: str) -> dict:
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


@pytest.fixture
def sync_db(monkeypatch):
    """As in test_dossier_journey: the live server answers while Playwright's loop runs here."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(transactional_db, settings, live_server):
    """Made before Chromium starts (the PKI's signing runs an event loop of its own)."""
    settings.EGOV_PKI_AUTO_CREATE = True
    ensure_ca()
    w = world_with_fees()
    d = services.receive(submit(w), actor=w.desk.user)
    w.dossier = services.start_processing(d, actor=w.desk.user, assignee=w.processor)
    base = live_server.url
    w.cookies = {}
    for name, user in (
        ("processor", w.processor.user),
        ("desk", w.desk.user),
        ("leader", w.approver.user),
    ):
        client = Client()
        client.force_login(user)
        w.cookies[name] = _cookie(client, base)
    client = Client()
    citizen_login(client, w.citizen)
    w.cookies["citizen"] = _cookie(client, base)
    return w


@pytest.fixture
def relay():
    r = Relay()
    yield r
    r.close()


@pytest.fixture
def sandbox(live_server, settings, relay):
    with _sandbox(relay.url, settings) as url:
        yield url


def _page(browser, cookie):
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    context.add_cookies([cookie])
    return context, context.new_page()


def test_fees_asked_paid_through_vnpay_and_receipted_no_axe_violations(
    sync_db, world, sandbox, relay, live_server, browser
):
    from playwright.sync_api import expect

    base, w, code = live_server.url, world, world.dossier.code
    violations = {}

    # --- The processor opens the dossier and, from its link, the fees page; asks for payment.
    staff, desk = _page(browser, w.cookies["processor"])
    desk.goto(f"{base}/one-stop/d/{code}/")
    desk.get_by_role("link", name="Phí, lệ phí và thanh toán").click()
    desk.wait_for_url(f"**/payments/dossiers/{code}/desk/")
    violations["desk (processing)"] = axe_violations(desk)
    desk.get_by_role("button", name="Yêu cầu thanh toán").click()
    desk.wait_for_load_state()
    expect(desk.locator("dd.dossier-status")).to_have_text("Chờ thực hiện nghĩa vụ tài chính")
    violations["desk (fees due)"] = axe_violations(desk)
    w.dossier.refresh_from_db()
    assert w.dossier.status == Status.FEES_DUE

    # --- The citizen pays from their dossier's page through the VNPay sandbox.
    citizen, page = _page(browser, w.cookies["citizen"])
    page.goto(f"{base}/my/dossiers/{code}/")
    expect(page.locator("section.payment")).to_contain_text("70.000\u00a0₫")
    violations["my dossier (fees due)"] = axe_violations(page)
    page.get_by_role("link", name="Thanh toán phí, lệ phí trực tuyến").click()
    page.wait_for_url(f"**/payments/dossiers/{code}/pay/")
    violations["pay"] = axe_violations(page)
    page.check("#method-vnpay")
    page.get_by_role("button", name="Đến cổng thanh toán").click()
    page.wait_for_url(f"{sandbox}/paymentv2/vpcpay.html?**")
    assert "70.000" in page.locator("body").inner_text()
    page.get_by_role("button", name="Thanh toán", exact=True).click()

    # Back on the platform before the IPN: "processing", the page refreshing itself.
    page.wait_for_url(f"{base}/payments/*/")
    payment = Payment.objects.get(dossier=w.dossier)
    assert page.url == f"{base}/payments/{payment.reference}/"
    status = page.locator("dd.payment-status")
    expect(status).to_contain_text("Chờ cổng thanh toán xác nhận")
    expect(status).to_contain_text("Đang xử lý")
    violations["status (pending)"] = axe_violations(page)
    assert payment.status == PaymentStatus.PENDING and relay.held

    # The gateway's IPN reaches the platform; the page turns to paid by itself.
    assert relay.forward(base) == {"RspCode": "00", "Message": "Confirm Success"}
    expect(status).to_have_text("Đã thanh toán", timeout=20_000)
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("70.000\u00a0₫")
    violations["status (paid)"] = axe_violations(page)

    # The receipt (phí and lệ phí apart: two) downloads as a signed PDF.
    links = page.locator("ul.receipts a")
    expect(links).to_have_count(2)
    with page.expect_download() as info:
        links.first.click()
    download = info.value
    assert download.suggested_filename.startswith("bien-lai-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.goto(f"{base}/my/dossiers/{code}/")
    expect(page.locator("dd.dossier-status")).to_have_text("Đang xử lý")
    violations["my dossier (paid)"] = axe_violations(page)

    # --- The desk sees it paid; the leader's refund page.
    desk.goto(f"{base}/payments/dossiers/{code}/desk/")
    expect(desk.locator("td.payment-status")).to_have_text("Đã thanh toán")
    violations["desk (paid)"] = axe_violations(desk)
    leader, lead = _page(browser, w.cookies["leader"])
    lead.goto(f"{base}/payments/dossiers/{code}/desk/")
    lead.get_by_role("link", name=f"Hoàn phí {payment.reference}").click()
    lead.wait_for_url(f"**/payments/{payment.reference}/refund/")
    violations["refund"] = axe_violations(lead)
    lead.get_by_role("button", name="Phê duyệt hoàn phí").click()  # no reason: refused
    lead.wait_for_load_state()
    expect(lead.locator(".govuk-error-summary")).to_be_visible()
    violations["refund (errors)"] = axe_violations(lead)

    # A return whose signature is wrong: the page that says so.
    page.goto(f"{base}/payments/return/vnpay/?vnp_TxnRef=x")
    violations["return refused"] = axe_violations(page)

    assert violations == {k: [] for k in violations}
    for context in (staff, citizen, leader):
        context.close()
    connections.close_all()
