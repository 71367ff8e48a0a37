"""The ratings pages' refusals end on the site's error page with the reason in the reader's
language (egov.core.error_pages), and write nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import Citizen
from egov.core.models import AuditEntry
from egov.ratings.models import SatisfactionRating

from ..dossiers.web_support import citizen_login
from .conftest import all_scores, returned

pytestmark = pytest.mark.django_db


def _site_page(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert f"<code>{response['X-Request-ID']}</code>" in html and "govuk-caption-m" in html
    return html


def test_an_official_who_sees_the_dossier_may_not_rate_it_and_is_told_why(world):
    d = returned(world)
    # An official of the agency logged in with their e-ID: sees the dossier, did not file it.
    me = Citizen.objects.create(
        user=world.desk.user, issuer="https://id.example", subject="s3", personal_id_number="1"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    citizen_login(client, me)
    before = AuditEntry.objects.count()
    form = {f"score-{code}": str(value) for code, value in all_scores(4).items()}
    html = _site_page(client.post(f"/ratings/dossiers/{d.code}/", form), 403)
    assert "Chỉ người nộp hồ sơ mới được đánh giá hồ sơ." in html
    html = _site_page(client.get(f"/ratings/dossiers/{d.code}/", HTTP_ACCEPT_LANGUAGE="en"), 403)
    assert "Only the dossier&#x27;s applicant may rate it." in html
    assert not SatisfactionRating.objects.exists() and AuditEntry.objects.count() == before


def test_the_public_page_of_an_unknown_agency_says_so(world):
    response = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/ratings/public/?organisation=NOPE")
    assert "Không có cơ quan nào có mã này." in _site_page(response, 404)
