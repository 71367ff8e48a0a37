"""National: the session, field-by-field checks, create/update, idempotence and order."""

from __future__ import annotations

import pytest
from django.utils import timezone

from egov.accounts.models import AccessToken
from egov.sync import wire
from egov.sync.models import NationalDossier, NationalProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(sw, settings, client):
    settings.EGOV_SYNC_ROLE = "national"
    return sw


def login(client, w, *, unit=None, password=None):
    return client.post(
        "/api/v1/sync/session",
        {"username": w.username, "password": password or w.password},
        content_type="application/json",
        headers={"dstcode": unit or w.p.code},
    )


def call(client, w, session, service, **fields):
    body = {"service": service, "session": session, "madonvi": w.p.code, **fields}
    return client.post(
        "/api/v1/sync/service",
        body,
        content_type="application/json",
        headers={"dstcode": w.p.code},
    )


def record(code="000.00.01.H26-260101-0001", version=1, status="2", **extra):
    out = {
        "MaHoSo": code,
        "MaTTHC": "1.000001",
        "TenTTHC": "Thủ tục thử",
        "MaLinhVuc": "HT",
        "TenLinhVuc": "Hộ tịch",
        "ChuHoSo": "Trần Thị Bình",
        "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "001199000111"}],
        "NgayTiepNhan": "20260101080000",
        "NgayHenTra": "20260105170000",
        "TrangThaiHoSo": status,
        "KenhThucHien": "2",
        "PhienBan": version,
    }
    out.update(extra)
    return out


def session(client, w):
    answer = login(client, w)
    assert answer.status_code == 200, answer.content
    return answer.json()["session"]


def test_the_login_wants_the_password_and_a_unit_of_the_account(national, client):
    wrong = login(client, national, password="nope")
    assert wrong.status_code == 401 and wrong.json()["error_code"] == wire.BAD_SESSION
    other = login(client, national, unit=national.q.code)
    assert other.status_code == 403 and other.json()["error_code"] == wire.REFUSED
    good = login(client, national).json()
    assert good["error_code"] == wire.OK and good["session"] and good["expires_in"] > 0


def test_an_expired_or_missing_session_is_refused(national, client):
    token = session(client, national)
    AccessToken.objects.update(expires_at=timezone.now())
    answer = call(
        client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=[record()]
    )
    assert answer.status_code == 401 and answer.json()["error_code"] == wire.BAD_SESSION
    answer = call(client, national, "", wire.DOSSIER_SERVICE, isUpdating="False", data=[record()])
    assert answer.json()["error_code"] == wire.BAD_SESSION
    assert not NationalDossier.objects.exists()


def test_a_create_then_a_second_create_says_it_exists(national, client):
    token = session(client, national)
    first = call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=[record()])
    assert first.status_code == 200 and first.json()["error_code"] == wire.OK
    again = call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=[record()])
    assert again.status_code == 409 and again.json()["error_code"] == wire.EXISTS
    assert "đã tồn tại" in again.json()["message"]
    row = NationalDossier.objects.get()
    assert (row.province, row.status, row.id_number, row.online) == (
        national.p,
        2,
        "001199000111",
        True,
    )


def test_an_update_of_an_unknown_dossier_is_not_found(national, client):
    token = session(client, national)
    answer = call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="True", data=[record()])
    assert answer.status_code == 404 and answer.json()["error_code"] == wire.NOT_FOUND


def test_fields_are_checked_one_by_one_and_nothing_is_half_written(national, client):
    token = session(client, national)
    bad = [
        record(code="A-1"),
        record(code="", NgayTiepNhan="2026-01-01"),
        record(code="A-3", status="9"),  # processed without NgayKetThucXuLy
        record(code="A-4", MaTTHC="LOCAL-7", KenhThucHien="9"),
    ]
    answer = call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=bad)
    assert answer.status_code == 400
    body = answer.json()
    assert body["error_code"] == wire.INVALID
    found = {(e["index"], e["field"]) for e in body["errors"]}
    assert found == {
        (1, "MaHoSo"),
        (1, "NgayTiepNhan"),
        (2, "NgayKetThucXuLy"),
        (3, "MaTTHC"),
        (3, "KenhThucHien"),
    }
    assert not NationalDossier.objects.exists()


def test_an_older_update_never_overwrites_a_newer_one(national, client):
    token = session(client, national)
    call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=[record()])
    newer = record(version=7, status="9", NgayKetThucXuLy="20260103100000")
    older = record(version=4, status="4")
    assert (
        call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="True", data=[newer]).json()[
            "error_code"
        ]
        == wire.OK
    )
    late = call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="True", data=[older])
    assert late.status_code == 200 and late.json()["stale"] == 1
    row = NationalDossier.objects.get()
    assert (row.version, row.status) == (7, 9)


def test_progress_is_stored_once_and_needs_its_dossier(national, client):
    token = session(client, national)
    step = {
        "MaHoSo": "000.00.01.H26-260101-0001",
        "NguoiXuLy": "Cán bộ một cửa",
        "ChucDanh": "Chuyên viên",
        "ThoiDiemXuLy": "20260101080000",
        "PhongBanXuLy": "Bộ phận một cửa",
        "NoiDungXuLy": "Tiếp nhận",
        "TrangThai": "2",
        "NgayBatDau": "20260101080000",
        "NgayKetThucTheoQuyDinh": "",
        "PhienBan": 1,
    }
    early = call(client, national, token, wire.PROGRESS_SERVICE, data=[step])
    assert early.status_code == 404 and early.json()["error_code"] == wire.NOT_FOUND
    call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=[record()])
    for _ in range(2):
        answer = call(client, national, token, wire.PROGRESS_SERVICE, data=[step])
        assert answer.json()["error_code"] == wire.OK
    assert NationalProgress.objects.count() == 1


def test_the_lookup_lists_a_days_codes_for_the_reconciliation(national, client):
    token = session(client, national)
    call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=[record()])
    day = call(client, national, token, wire.LOOKUP_SERVICE, ngay="20260101").json()
    assert day["result"] == {
        "ngay": "20260101",
        "soluong": 1,
        "danhsach": ["000.00.01.H26-260101-0001"],
    }
    assert (
        call(client, national, token, wire.LOOKUP_SERVICE, ngay="20260102").json()["result"][
            "soluong"
        ]
        == 0
    )
    assert call(client, national, token, wire.LOOKUP_SERVICE, ngay="x").status_code == 400


def test_the_ingest_is_the_national_sides_only(sw, client, settings):
    settings.EGOV_SYNC_ROLE = "provincial"
    assert login(client, sw).status_code == 404


def test_the_sync_has_its_own_rate_per_address(national, client, monkeypatch):
    """Not the anonymous rate (a province's catch-up after an outage was refused with 429 by
    it): EGOV_SYNC_RATE, here 2 a minute."""
    from egov.sync.api import SyncRateThrottle

    monkeypatch.setattr(SyncRateThrottle, "THROTTLE_RATES", {"sync": "2/min"})
    answers = [login(client, national).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
