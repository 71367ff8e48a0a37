import pytest

from egov.core.models import AuditEntry, Organisation
from egov.core.services import organisations as svc
from egov.core.services.organisations import OrganisationData

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("quantri", password="x" * 16)
    client.force_login(user)
    return client


def test_admin_search_ignores_diacritics(admin_client):
    svc.create_organisation(OrganisationData("000.00.00.H26", "Thành phố Hà Nội", "province"))
    page = admin_client.get("/admin/core/organisation/", {"q": "ha noi"}).content.decode()
    assert "Thành phố Hà Nội" in page


def test_admin_creates_through_the_service_and_audits(admin_client):
    province = svc.create_organisation(OrganisationData("000.00.00.H26", "Hà Nội", "province"))
    response = admin_client.post(
        "/admin/core/organisation/add/",
        {
            "code": "000.00.01.H26",
            "code_source": "official",
            "name": "Phường Hoàn Kiếm",
            "level": "commune",
            "parent": province.pk,
            "office_hours": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    commune = Organisation.objects.get(code="000.00.01.H26")
    assert commune.path == f"/{province.pk}/{commune.pk}/"
    assert AuditEntry.objects.filter(
        action="organisation.create", object_id=str(commune.pk)
    ).exists()


def test_admin_shows_service_errors_on_the_form_and_writes_nothing(admin_client):
    response = admin_client.post(
        "/admin/core/organisation/add/",
        {
            "code": "000.00.01.H26",
            "code_source": "official",
            "name": "Xã",
            "level": "commune",
            "office_hours": "[]",
        },
    )
    assert response.status_code == 200
    assert "Cấp này cần có cơ quan cấp trên." in response.content.decode()
    assert not Organisation.objects.exists()


def test_audit_log_is_read_only_in_admin(admin_client):
    svc.create_organisation(OrganisationData("000.00.00.H26", "Hà Nội", "province"))
    entry = AuditEntry.objects.get()
    assert admin_client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/core/auditentry/add/").status_code == 403
