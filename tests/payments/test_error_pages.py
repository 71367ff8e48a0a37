"""The payments' refusals end on the site's error page (egov.core.error_pages) with the reason in
the reader's language; the gateway's unverifiable return keeps its own page (it tells the citizen
what happens to their payment); nothing is written by any of them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.payments.services import payments

from ..accounts.officials_support import make_official
from ..dossiers.web_support import citizen_login
from .support import fees_due_dossier, world_with_fees

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def w(db):
    return world_with_fees()


def _site_page(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    # core/error.html, not an app's template.
    assert f"<code>{response['X-Request-ID']}</code>" in html and "govuk-caption-m" in html
    return html


def test_a_refund_by_a_desk_official_is_refused_with_the_reason(client, w):
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    url = reverse("payments:refund", args=[payment.reference])
    client.force_login(w.desk.user)
    before = AuditEntry.objects.count()
    html = _site_page(client.post(url, {"amount_vnd": "70000", "reason": "x"}, **VI), 403)
    assert "Chỉ lãnh đạo cơ quan giải quyết hồ sơ được hoàn trả khoản đã nộp." in html
    html = _site_page(client.get(url, **EN), 403)
    assert "Only a leader of the dossier&#x27;s agency may refund its payments." in html
    assert payment.refunds.count() == 0 and AuditEntry.objects.count() == before


def test_the_statement_check_refuses_an_official_without_the_scope(client, w):
    client.force_login(make_official("no_roles", w.a).user)
    html = _site_page(client.get(reverse("payments:statement"), **VI), 403)
    assert "Bạn không được đối soát sao kê thanh toán." in html


def test_another_citizens_payment_and_an_unknown_one_get_the_same_404(client, w):
    payment = payments.start_online(fees_due_dossier(w), actor=w.citizen.user, method="vnpay")
    citizen_login(client, w.other)
    theirs = _site_page(client.get(reverse("payments:status", args=[payment.reference]), **VI), 404)
    unknown = _site_page(client.get(reverse("payments:status", args=["NOPE"]), **VI), 404)
    message = "Không có khoản thanh toán nào bạn được xem có mã này."
    assert message in theirs and message in unknown
    pay = _site_page(client.get(reverse("payments:pay", args=[payment.dossier.code]), **VI), 404)
    assert "Không có hồ sơ nào bạn được xem có mã này." in pay


def test_an_unverifiable_gateway_return_keeps_its_own_page(client, w):
    # Not a bare refusal: it tells the citizen their payment shows on the dossier once the
    # gateway confirms it, and links to their dossiers.
    before = AuditEntry.objects.count()
    response = client.get("/payments/return/vnpay/", {"vnp_TxnRef": "X"}, **VI)
    assert response.status_code == 400
    html = response.content.decode()
    assert reverse("portal:my-dossiers") in html and "govuk-warning-text" in html
    assert AuditEntry.objects.count() == before
    unknown = _site_page(client.get("/payments/return/nope/", **VI), 404)
    assert "Cổng thanh toán này không được dùng tại đây." in unknown
