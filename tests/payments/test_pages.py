"""The payments' pages in GOV.UK components: the amounts in đồng, the states as tags, the refund
as a warning button, errors in an error summary; the officials' dossier page links to the fees
page through the core registry (the one-stop shop does not import this app)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from egov.core import registry
from egov.core.templatetags.govuk import vnd
from egov.payments.models import Payment, PaymentStatus
from egov.payments.services import payments

from ..dossiers.web_support import citizen_login
from .support import CHARGE, FEE, fees_due_dossier, ipn_params, world_with_fees

pytestmark = pytest.mark.django_db
DUE = f"{FEE + CHARGE:,}".replace(",", ".") + "\u00a0₫"  # 70.000 ₫


@pytest.fixture
def w(db):
    return world_with_fees()


@pytest.fixture
def dossier(w):
    return fees_due_dossier(w)


def _paid(client, w, dossier) -> Payment:
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    assert client.get("/payments/ipn/vnpay/", ipn_params(payment)).json()["RspCode"] == "00"
    client.logout()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    return payment


def test_vnd_groups_by_language():
    with translation.override("vi"):
        assert vnd(1_250_000) == "1.250.000\u00a0₫"
    with translation.override("en"):
        assert vnd(1_250_000) == "1,250,000\u00a0₫"
    assert vnd(None) == ""


def test_the_officials_dossier_page_links_to_the_fees_page_through_the_registry(client, w, dossier):
    desk_url = reverse("payments:desk", args=[dossier.code])
    client.force_login(w.processor.user)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert f'href="{desk_url}"' in page and "Phí, lệ phí và thanh toán" in page
    assert client.get(desk_url).status_code == 200
    # The link costs no query: the policy's grants are the ones the page already read.
    detail = reverse("dossiers:detail", args=[dossier.code])
    with CaptureQueriesContext(connection) as linked:
        client.get(detail)
    saved = dict(registry._dossier_links)
    registry._dossier_links.clear()
    try:
        with CaptureQueriesContext(connection) as bare:
            assert f'href="{desk_url}"' not in client.get(detail).content.decode()
    finally:
        registry._dossier_links.update(saved)
    assert len(linked) == len(bare)
    # A link whose app says no is not shown; the registry keeps none of the dossiers app's own.
    registry.dossier_link(
        registry.DossierLink("test.never", "Never", "payments:desk", lambda u, d: False, 1)
    )
    try:
        page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
        assert page.count(f'href="{desk_url}"') == 1 and ">Never<" not in page
    finally:
        registry._dossier_links.pop("test.never")


def test_the_desk_page_shows_amounts_tags_and_the_refund_link(client, w, dossier):
    payment = _paid(client, w, dossier)
    url = reverse("payments:desk", args=[dossier.code])
    client.force_login(w.desk.user)
    page = client.get(url).content.decode()
    assert "govuk-table fee-items" in page and DUE in page
    assert re.search(r'govuk-tag govuk-tag--green">Đã thanh toán<', page)
    assert "P01" not in page  # names, not the fees' codes
    assert reverse("payments:refund", args=[payment.reference]) not in page  # desk: no refund
    client.force_login(w.approver.user)
    page = client.get(url).content.decode()
    assert f'href="{reverse("payments:refund", args=[payment.reference])}"' in page


def test_the_refund_page_is_a_warning_and_its_errors_a_summary(client, w, dossier):
    payment = _paid(client, w, dossier)
    url = reverse("payments:refund", args=[payment.reference])
    client.force_login(w.approver.user)
    page = client.get(url).content.decode()
    assert "govuk-button govuk-button--warning" in page and DUE in page
    refused = client.post(url, {"amount_vnd": "abc", "reason": ""})
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.content.decode()


def test_the_citizen_sees_a_pending_tag_then_the_paid_panel(client, w, dossier):
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    citizen_login(client, w.citizen)
    mine = client.get(reverse("portal:my-dossier", args=[dossier.code])).content.decode()
    assert DUE in mine and "govuk-tag--yellow" in mine
    status_url = reverse("payments:status", args=[payment.reference])
    assert "govuk-tag--yellow" in client.get(status_url).content.decode()
    assert client.get("/payments/ipn/vnpay/", ipn_params(payment)).json()["RspCode"] == "00"
    page = client.get(status_url).content.decode()
    assert "govuk-panel--confirmation" in page and "govuk-tag--green" in page
    assert page.count(reverse("payments:receipt", args=[payment.receipts.first().pk])) == 1
