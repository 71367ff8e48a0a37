"""National: the citizen's dossiers from every province, the lookup and the live figures."""

from __future__ import annotations

import pytest

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.sync.services import ingest

from ..dossiers.web_support import citizen_login
from .test_ingest import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(sw, settings):
    settings.EGOV_SYNC_ROLE = "national"
    r = org_services.create_organisation(OrganisationData("000.00.00.H10", "Tỉnh R", "province"))
    mine = "001099012345"  # the test world's citizen
    for province, code, extra in (
        (sw.p, "P-1", {"TrangThaiHoSo": "9", "NgayKetThucXuLy": "20260104100000"}),
        (r, "R-1", {"TrangThaiHoSo": "10", "NgayKetThucXuLy": "20260107100000"}),
        (r, "R-2", {"DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "001099099999"}]}),
    ):
        data = record(code=code, **extra)
        if "DinhDanhCHS" not in extra:
            data["DinhDanhCHS"] = [{"LoaiDinhDanh": "1", "SoDinhDanh": mine}]
        data["DuongDanHoSo"] = f"https://dvc.example/{code}"
        ingest.ingest_dossiers(province, [data], updating="False")
    sw.r = r
    return sw


def test_a_citizen_sees_their_dossiers_from_every_province(national, client):
    citizen_login(client, national.citizen)
    page = client.get("/sync/my/dossiers/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "P-1" in text and "R-1" in text and "R-2" not in text
    assert "https://dvc.example/R-1" in text and "Tỉnh R" in text


def test_a_citizen_opens_only_their_own(national, client):
    from egov.sync.models import NationalDossier

    citizen_login(client, national.citizen)
    mine = NationalDossier.objects.get(code="R-1")
    other = NationalDossier.objects.get(code="R-2")
    assert client.get(f"/sync/my/dossiers/{mine.pk}/").status_code == 200
    assert client.get(f"/sync/my/dossiers/{other.pk}/").status_code == 404


def test_the_lookup_needs_the_code_and_the_id_number(national, client):
    found = client.get("/sync/lookup/", {"code": "R-2", "id_number": "001099099999"})
    assert found.status_code == 200 and "Tỉnh R" in found.content.decode()
    wrong = client.get("/sync/lookup/", {"code": "R-2", "id_number": "001099012345"})
    assert "R-2" not in wrong.content.decode().split("<main", 1)[-1].split("value=")[0]
    api = client.get("/api/v1/sync/lookup/", {"code": "R-2", "id_number": "001099099999"})
    assert api.status_code == 200 and api.json()["province"] == "Tỉnh R"
    assert client.get("/api/v1/sync/lookup/", {"code": "R-2"}).status_code == 404


def test_the_figures_follow_each_ingest(national, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows = client.get("/api/v1/sync/figures/", {"by": "province"}).json()["rows"]
    by = {r["code"]: r for r in rows}
    # P-1 ended 20260104 before its due 20260105: on time; R-1 ended after: late.
    assert by[national.p.code]["on_time"] == 1 and by[national.p.code]["late"] == 0
    assert by[national.r.code]["received"] == 2 and by[national.r.code]["late"] == 1
    ingest.ingest_dossiers(national.r, [record(code="R-1", version=9, status="4")], updating="True")
    rows = client.get("/api/v1/sync/figures/", {"by": "province"}).json()["rows"]
    assert {r["code"]: r for r in rows}[national.r.code]["late"] == 0
    assert client.get("/api/v1/sync/figures/", {"by": "x"}).status_code == 400
    page = client.get("/sync/figures/?by=procedure")
    assert page.status_code == 200 and "Thủ tục thử" in page.content.decode()
