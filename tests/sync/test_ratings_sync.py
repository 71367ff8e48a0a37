"""Satisfaction ratings to the national side (DongBoDanhGia): queued with the rating, sent by
the worker, the newest revision kept; the national side checks each field and keeps nothing of
a refused call."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from egov.core.models import OutboxMessage
from egov.ratings import services as ratings
from egov.sync import wire
from egov.sync.models import NationalDossier, NationalRating

from ..ratings.conftest import data, ensure_criteria, returned
from .test_ingest import call, record, session


def drain():
    call_command("worker", batch=True, verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.outbox
def test_a_rating_and_its_change_arrive_and_the_newest_is_kept(sw):
    ensure_criteria()  # a transactional test's flush empties the data migration's rows
    d = returned(sw)
    rating = ratings.rate(
        d,
        actor=sw.citizen.user,
        data=data(2, disliked=True, dislike_reason="Phải đi lại nhiều lần"),
    )
    queued = OutboxMessage.objects.filter(kind="sync.rating")
    assert list(queued.values_list("key", flat=True)) == [f"{d.code}:{sw.citizen.pk}:1"]
    drain()
    assert set(queued.values_list("state", flat=True)) == {"sent"}
    kept = NationalRating.objects.get()
    assert (kept.code, kept.id_number, kept.revision, kept.disliked) == (
        d.code,
        d.applicant_id_number,
        1,
        True,
    )
    assert float(kept.average) == 2.0 and kept.province == sw.p
    assert NationalDossier.objects.filter(code=d.code).exists()  # its dossier went first

    ratings.change(d, actor=sw.citizen.user, data=data(5))
    drain()
    kept.refresh_from_db()
    assert (kept.revision, kept.disliked, float(kept.average)) == (2, False, 5.0)
    assert NationalRating.objects.count() == 1
    assert rating.pk  # the provincial rating itself is untouched by the sync


@pytest.fixture
def national(sw, settings):
    settings.EGOV_SYNC_ROLE = "national"
    return sw


def rating_record(code="000.00.01.H26-260101-0001", revision=1, **extra):
    out = {
        "MaHoSo": code,
        "MaTTHC": "1.000001",
        "MaDoiTuong": "001199000111",
        "LoaiDoiTuong": "1",
        "ThoiGianDanhGia": "20260110090000",
        "LanCapNhat": revision,
        "DiemToiDa": 5,
        "DanhSachTieuChi": [{"MaTieuChi": "overall", "SoThuTu": 1, "Diem": 4}],
        "DiemTrungBinh": "4.00",
        "KhongHaiLong": "0",
    }
    out.update(extra)
    return out


@pytest.mark.django_db
def test_the_national_side_keeps_the_highest_revision_and_refuses_bad_fields(national, client):
    token = session(client, national)
    call(client, national, token, wire.DOSSIER_SERVICE, isUpdating="False", data=[record()])
    newer = rating_record(revision=2, DiemTrungBinh="3.50")
    assert call(client, national, token, wire.RATING_SERVICE, data=[newer]).json()["count"] == 1
    # An older revision arriving late is acknowledged and changes nothing.
    late = call(client, national, token, wire.RATING_SERVICE, data=[rating_record(revision=1)])
    assert late.status_code == 200 and late.json()["stale"] == 1
    assert NationalRating.objects.get().revision == 2
    assert float(NationalRating.objects.get().average) == 3.5

    bad = rating_record(
        revision=3,
        KhongHaiLong="1",
        DanhSachTieuChi=[{"MaTieuChi": "overall", "Diem": 9}],
        ThoiGianDanhGia="10/01/2026",
    )
    answer = call(client, national, token, wire.RATING_SERVICE, data=[bad])
    assert answer.status_code == 400 and answer.json()["error_code"] == wire.INVALID
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"DanhSachTieuChi.Diem", "LyDoKhongHaiLong", "ThoiGianDanhGia"}
    assert NationalRating.objects.get().revision == 2  # nothing of the refused call

    unknown = rating_record(code="000.00.01.H26-260101-9999")
    answer = call(client, national, token, wire.RATING_SERVICE, data=[unknown])
    assert answer.status_code == 404 and answer.json()["error_code"] == wire.NOT_FOUND
