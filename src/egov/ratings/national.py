"""A rating as the national portal's sync takes it: :func:`rating_record` (``DongBoDanhGia``).

No public specification of a rating service of the National Public Service Portal was found
(searched: VietOpenCPS/opencps-v2 ``DVCQGIntegrationActionImpl.java``, which has the session and
``DongBoHoSoMC`` but no rating call; HuanVu201/DichVuCong_KhoaLuan_PASETO, whose local
``DanhGiaHaiLong`` rows carry ``MaHoSo``, ``LoaiDanhGia``, ``NguoiDanhGia``, ``NoiDungDanhGia``,
``ThoiGianDanhGia``, ``DanhGia`` and whose ``DanhGiaCoQuan`` counts answers on a five-level
scale ``MucDoRHL``/``HL``/``BT``/``KHL``/``RKHL``). So the record is built the way those
systems build ``DongBoHoSoMC`` (read, not copied):

- field names in Vietnamese PascalCase, as published for ``DongBoHoSoMC``; the dossier by its
  code (``MaHoSo``), the procedure by its national code (``MaTTHC``), the handling agency by
  name (``DonViXuLy``) and code (``MaDonViXuLy``);
- the applicant as ``DongBoHoSoMC`` sends it: ``LoaiDoiTuong`` "1" a citizen, "2" a business
  (opencps maps ``business`` to 2), ``MaDoiTuong`` the ID number or tax code; never the name;
- dates ``yyyyMMddHHmmss``, Vietnam time (``ThoiGianDanhGia`` when given, ``ThoiGianCapNhat``
  when last changed);
- the criteria: ``MaBoTieuChi``/``PhienBanBoTieuChi`` (the set and its version) and
  ``DanhSachTieuChi[]`` with ``MaTieuChi``, ``SoThuTu``, ``TenTieuChi``, ``Diem`` (1..``DiemToiDa``)
  and ``MucDo``, the five-level codes above (RKHL, KHL, BT, HL, RHL);
- ``KhongHaiLong`` "1"/"0" and ``LyDoKhongHaiLong`` (the dislike), ``NoiDungDanhGia`` (the
  comment), ``DiemTrungBinh``;
- ``LanCapNhat``, the rating's revision (1 when given, +1 per change): with ``MaHoSo`` it makes
  each record idempotent, and a receiver keeps the highest it has seen (an older record arriving
  late never overwrites a newer one).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from egov.ratings.models import SatisfactionRating

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICE = "DongBoDanhGia"
# Score on the five-level scale -> the level code used by provincial systems' reports.
LEVEL_CODES = {1: "RKHL", 2: "KHL", 3: "BT", 4: "HL", 5: "RHL"}


def national_time(when: dt.datetime | None) -> str:
    """yyyyMMddHHmmss, 24-hour, Vietnam time; "" when there is none."""
    if when is None:
        return ""
    return when.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def rating_record(rating: SatisfactionRating) -> dict:
    """The rating as one ``DongBoDanhGia`` record (a dict ready for JSON)."""
    dossier = rating.dossier
    criteria_set = rating.criteria_set
    scores = sorted(rating.scores.select_related("criterion"), key=lambda s: s.criterion.number)
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": rating.procedure.code,
        "TenTTHC": rating.procedure.name,
        "MaDonViXuLy": rating.organisation.code,
        "DonViXuLy": rating.organisation.name,
        "LoaiDoiTuong": "2" if dossier.applicant_kind == "business" else "1",
        "MaDoiTuong": dossier.applicant_id_number,
        "NgayTra": national_time(rating.returned_at),
        "ThoiGianDanhGia": national_time(rating.created_at),
        "ThoiGianCapNhat": national_time(rating.updated_at),
        "LanCapNhat": rating.revision,
        "MaBoTieuChi": criteria_set.code,
        "PhienBanBoTieuChi": criteria_set.version,
        "DiemToiDa": criteria_set.max_score,
        "DanhSachTieuChi": [
            {
                "MaTieuChi": s.criterion.code,
                "SoThuTu": s.criterion.number,
                "TenTieuChi": s.criterion.name,
                "Diem": s.score,
                "MucDo": LEVEL_CODES.get(s.score, "") if criteria_set.max_score == 5 else "",
            }
            for s in scores
        ],
        "DiemTrungBinh": f"{rating.average:.2f}",
        "KhongHaiLong": "1" if rating.disliked else "0",
        "LyDoKhongHaiLong": rating.dislike_reason,
        "NoiDungDanhGia": rating.comment,
    }


def record_key(rating: SatisfactionRating) -> str:
    """The outbox key of one version of the rating (``outbox.add(kind, payload, key=...)``):
    a change is a new record, sending the same version twice is one row."""
    return f"{rating.dossier.code}:{rating.citizen_id}:{rating.revision}"
