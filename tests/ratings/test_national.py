"""The rating as a DongBoDanhGia record: codes, Vietnam-time dates, the criteria, revision."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.ratings import services
from egov.ratings.models import SatisfactionRating
from egov.ratings.national import national_time, rating_record, record_key

from .conftest import all_scores, returned

pytestmark = pytest.mark.django_db


def test_national_time_is_vietnam_time():
    when = dt.datetime(2026, 12, 6, 17, 30, 5, tzinfo=dt.UTC)
    assert national_time(when) == "20261207003005"
    assert national_time(None) == ""


def test_rating_record(world):
    d = returned(world)
    rating = services.rate(
        d,
        actor=world.citizen.user,
        data=services.RatingData(
            scores=all_scores(4, overall=5, attitude=2),
            disliked=True,
            dislike_reason="Cán bộ hẹn lại nhiều lần",
            comment="Cần cải thiện",
        ),
    )
    when = dt.datetime(2026, 12, 1, 1, 2, 3, tzinfo=dt.UTC)
    SatisfactionRating.objects.filter(pk=rating.pk).update(created_at=when, updated_at=when)
    rating = SatisfactionRating.objects.get(pk=rating.pk)
    record = rating_record(rating)
    assert record["MaHoSo"] == d.code
    assert record["MaTTHC"] == world.version.procedure.code
    assert record["MaDonViXuLy"] == world.a.code and record["DonViXuLy"] == world.a.name
    assert record["LoaiDoiTuong"] == "1" and record["MaDoiTuong"] == d.applicant_id_number
    assert record["ThoiGianDanhGia"] == "20261201080203"
    assert record["LanCapNhat"] == 1 and record["MaBoTieuChi"] == "tthc-12"
    items = record["DanhSachTieuChi"]
    assert [i["SoThuTu"] for i in items] == list(range(1, 13))
    assert items[0] == {
        "MaTieuChi": "overall",
        "SoThuTu": 1,
        "TenTieuChi": items[0]["TenTieuChi"],
        "Diem": 5,
        "MucDo": "RHL",
    }
    assert {i["MaTieuChi"]: i["MucDo"] for i in items}["attitude"] == "KHL"
    assert record["KhongHaiLong"] == "1"
    assert record["LyDoKhongHaiLong"] == "Cán bộ hẹn lại nhiều lần"
    assert record["NoiDungDanhGia"] == "Cần cải thiện"
    assert record["DiemTrungBinh"] == "3.92"  # (5 + 2 + 10 × 4) / 12
    assert "ChuHoSo" not in record and world.citizen.full_name not in str(record)
    assert record_key(rating) == f"{d.code}:{world.citizen.pk}:1"
