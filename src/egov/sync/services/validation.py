"""National: each record checked field by field; the model's values, and (field, message) pairs.

Required as the national portal requires them; the egov additions (``PhienBan``,
``DuongDanHoSo``) are optional, so a province running other software can sync too.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.sync import wire

MAX_BATCH = 500
STATUSES = {str(n) for n in range(1, 11)}
# The model's fields a DongBoHoSoMC record sets (the update writes these).
DOSSIER_FIELDS = (
    "code",
    "version",
    "procedure_code",
    "procedure_name",
    "sector_code",
    "sector_name",
    "applicant_name",
    "id_number",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "handling_unit",
    "online",
    "paid_online",
    "digitised",
    "page_url",
    "record",
)


class _Reader:
    def __init__(self, record):
        self.record = record if isinstance(record, dict) else {}
        self.problems: list[tuple[str, str]] = []
        if not isinstance(record, dict):
            self.problems.append(("", _("A record must be a JSON object.")))

    def text(self, name, *, required=False, most=255):
        value = self.record.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str | int):
            self.problems.append((name, _("Must be text.")))
            return ""
        value = str(value).strip()
        if required and not value:
            self.problems.append((name, _("Required.")))
        elif len(value) > most:
            self.problems.append((name, _("At most %(n)d characters.") % {"n": most}))
        return value

    def date(self, name, *, required=False):
        value = self.text(name, required=required, most=14)
        if not value:
            return None
        try:
            return wire.parse_date(value)
        except ValueError:
            self.problems.append((name, _("Not a date as yyyyMMddHHmmss.")))
            return None

    def choice(self, name, allowed, *, required=False, default=""):
        value = self.text(name, required=required, most=8) or default
        if value and value not in allowed:
            self.problems.append(
                (name, _("Must be one of: %(values)s.") % {"values": ", ".join(sorted(allowed))})
            )
        return value

    def number(self, name):
        value = self.record.get(name, 0)
        if value in (None, ""):
            return 0
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            self.problems.append((name, _("Must be a whole number, 0 or more.")))
            return 0
        return number

    def items(self, name):
        value = self.record.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append((name, _("Must be a list of objects.")))
            return []
        return value


def dossier(record) -> tuple[dict, list]:
    r = _Reader(record)
    code = r.text("MaHoSo", required=True, most=64)
    procedure = r.text("MaTTHC", required=True, most=32)
    if procedure and not wire.is_national_code(procedure):
        r.problems.append(("MaTTHC", _("Not a national procedure code.")))
    status = r.choice("TrangThaiHoSo", STATUSES, required=True)
    ended = r.date("NgayKetThucXuLy")
    if status and int(status) in wire.ENDING_STATUSES and ended is None:
        r.problems.append(("NgayKetThucXuLy", _("Required when the status is 3, 7, 8, 9 or 10.")))
    identities = r.items("DinhDanhCHS")
    id_number = ""
    for entry in identities:
        if not str(entry.get("SoDinhDanh", "")).strip():
            r.problems.append(("DinhDanhCHS", _("Each entry needs SoDinhDanh.")))
        elif not id_number:
            id_number = str(entry["SoDinhDanh"]).strip()[:20]
    id_number = id_number or r.text("MaDoiTuong", most=20)
    for entry in r.items("TaiLieuNop"):
        for flag in ("DuocSoHoa", "DuocTaiSuDung", "DuocLayTuKhoDMQG"):
            if str(entry.get(flag, "0")) not in ("0", "1"):
                r.problems.append((f"TaiLieuNop.{flag}", _("Must be 0 or 1.")))
    r.items("DanhSachHoSoBoSung")
    for entry in r.items("DanhSachGiayToKetQua"):
        link = str(entry.get("DuongDanTepTinKetQua", ""))
        if not link.startswith(("http://", "https://", "/")):
            r.problems.append(("DanhSachGiayToKetQua.DuongDanTepTinKetQua", _("Must be a link.")))
    r.items("DanhSachLePhi")
    page = r.text("DuongDanHoSo", most=500)
    if page and not page.startswith(("http://", "https://")):
        r.problems.append(("DuongDanHoSo", _("Must be a link.")))
    channel = r.choice("KenhThucHien", {"1", "2", "3"}, default="1")
    paid = r.choice("DuocThanhToanTrucTuyen", {"0", "1", "2"}, default="0")
    digitised = r.choice("HoSoCoThanhPhanSoHoa", {"0", "1"}, default="0")
    r.choice("TaiKhoanDuocXacThucVoiVNeID", {"0", "1"}, default="0")
    r.choice("LoaiDoiTuong", {"1", "2", "3"}, default="1")
    values = {
        "code": code,
        "version": r.number("PhienBan"),
        "procedure_code": procedure,
        "procedure_name": r.text("TenTTHC", required=True, most=2000),
        "sector_code": r.text("MaLinhVuc", most=64),
        "sector_name": r.text("TenLinhVuc", most=2000),
        "applicant_name": r.text("ChuHoSo", most=255),
        "id_number": id_number,
        "status": int(status) if status in STATUSES else 0,
        "received_at": r.date("NgayTiepNhan", required=True),
        "due_at": r.date("NgayHenTra"),
        "finished_at": ended,
        "returned_at": r.date("NgayTra"),
        "handling_unit": r.text("DonViXuLy", most=2000),
        "online": channel == "2",
        "paid_online": paid in ("1", "2"),
        "digitised": digitised == "1",
        "page_url": page,
        "record": r.record,
    }
    return values, r.problems


def progress(record) -> tuple[dict, list]:
    r = _Reader(record)
    values = {
        "code": r.text("MaHoSo", required=True, most=64),
        "version": r.number("PhienBan"),
        "at": r.date("ThoiDiemXuLy", required=True),
        "status": 0,
        "actor_name": r.text("NguoiXuLy", required=True),
        "actor_title": r.text("ChucDanh"),
        "unit": r.text("PhongBanXuLy", most=2000),
        "content": r.text("NoiDungXuLy", most=4000),
        "started_at": r.date("NgayBatDau"),
        "due_at": r.date("NgayKetThucTheoQuyDinh"),
    }
    status = r.choice("TrangThai", STATUSES, required=True)
    values["status"] = int(status) if status in STATUSES else 0
    return values, r.problems


def rating(record) -> tuple[dict, list]:
    """A DongBoDanhGia record (egov.ratings.national): who, which dossier, revision, scores."""
    r = _Reader(record)
    top = r.number("DiemToiDa") or 5
    scores = []
    for item in r.items("DanhSachTieuChi"):
        if not str(item.get("MaTieuChi", "")).strip():
            r.problems.append(("DanhSachTieuChi.MaTieuChi", _("Required.")))
        try:
            score = int(item.get("Diem"))
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= top:
            r.problems.append(
                ("DanhSachTieuChi.Diem", _("Must be a whole number from 1 to %(n)d.") % {"n": top})
            )
        scores.append(score)
    if not scores and not r.problems:
        r.problems.append(("DanhSachTieuChi", _("Required.")))
    average = r.text("DiemTrungBinh", most=8)
    try:
        average_value = round(float(average), 2) if average else 0.0
    except ValueError:
        average_value = 0.0
        r.problems.append(("DiemTrungBinh", _("Must be a number.")))
    disliked = r.choice("KhongHaiLong", {"0", "1"}, default="0")
    if disliked == "1" and not r.text("LyDoKhongHaiLong", most=2000):
        r.problems.append(("LyDoKhongHaiLong", _("Required when KhongHaiLong is 1.")))
    revision = r.number("LanCapNhat")
    if revision < 1 and not any(f == "LanCapNhat" for f, _m in r.problems):
        r.problems.append(("LanCapNhat", _("Must be 1 or more.")))
    procedure = r.text("MaTTHC", required=True, most=32)
    if procedure and not wire.is_national_code(procedure):
        r.problems.append(("MaTTHC", _("Not a national procedure code.")))
    values = {
        "code": r.text("MaHoSo", required=True, most=64),
        "id_number": r.text("MaDoiTuong", required=True, most=20),
        "revision": revision,
        "procedure_code": procedure,
        "unit_code": r.text("MaDonViXuLy", most=64),
        "average": average_value,
        "disliked": disliked == "1",
        "rated_at": r.date("ThoiGianDanhGia", required=True),
        "record": r.record,
    }
    r.choice("LoaiDoiTuong", {"1", "2", "3"}, default="1")
    r.text("NoiDungDanhGia", most=4000)
    return values, r.problems
