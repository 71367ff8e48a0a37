"""The sync pages' refusals end on the site's error page with the reason in the reader's
language (egov.core.error_pages)."""

from __future__ import annotations

import pytest

from egov.core.models import AuditEntry

from ..accounts.officials_support import make_official
from ..dossiers.web_support import citizen_login
from .test_national_pages import national  # noqa: F401 - the national side's fixture

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _site_page(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert f"<code>{response['X-Request-ID']}</code>" in html and "govuk-caption-m" in html
    return html


def test_an_official_without_the_sync_scope_is_told_why(sw, client):
    client.force_login(make_official("no_roles", sw.a).user)
    before = AuditEntry.objects.count()
    html = _site_page(client.get("/sync/failures/", **VI), 403)
    assert "Bạn không được xem việc đồng bộ với Cổng Dịch vụ công quốc gia." in html
    html = _site_page(client.get("/sync/failures/", **EN), 403)
    assert "You may not see the syncs to the National Public Service Portal." in html
    assert AuditEntry.objects.count() == before


def test_the_national_pages_on_a_province_say_where_they_are(sw, client):
    citizen_login(client, sw.citizen)
    html = _site_page(client.get("/sync/my/dossiers/", **VI), 404)
    assert "Trang này chỉ có trên Cổng Dịch vụ công quốc gia." in html


def test_another_citizens_national_dossier_is_a_404_with_the_reason(national, client):  # noqa: F811
    from egov.sync.models import NationalDossier

    citizen_login(client, national.citizen)
    other = NationalDossier.objects.get(code="R-2")
    html = _site_page(client.get(f"/sync/my/dossiers/{other.pk}/", **VI), 404)
    assert "Không có hồ sơ nào bạn được xem có mã này." in html
