"""Provincial: a dossier and its progress records as the national portal's records.

:func:`dossier_records` builds DongBoHoSoMC records (field names as published, see
docs/sync.md) from the dossiers' state now, a fixed number of queries for any number of
dossiers; :func:`progress_record` a CapNhatTienDoHoSoMC record from one progress record.

Statuses go as they are (1–10): a supplement request (5), fees due (6) and a stop (8) are not
reported as processed (9). ``NgayKetThucXuLy`` is the time the dossier entered 3, 7, 8, 9 or 10
(its last such entry). Two fields are egov's own, which the national side reads when present:
``PhienBan``, the province's order of a dossier's changes (its last progress record's id), so
that an older record arriving late never overwrites a newer one; and ``DuongDanHoSo``, the
dossier's page at the province, which the citizen's national list links to.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, Max
from django.urls import reverse
from django.utils.translation import gettext as _

from egov.catalog.models import ChannelKind
from egov.dossiers.acts import done_label
from egov.dossiers.models import Dossier, DossierComponent, ProgressRecord
from egov.dossiers.models.records import related
from egov.payments.national import payment_fields
from egov.sync.wire import ENDING_STATUSES, format_date

# KenhThucHien: 1 in person, 2 online, 3 by public post.
CHANNEL = {ChannelKind.IN_PERSON: "1", ChannelKind.ONLINE: "2", ChannelKind.POST: "3"}


def absolute(name: str, *args) -> str:
    return f"{settings.EGOV_PUBLIC_URL}{reverse(name, args=args)}"


def _identity(number: str) -> dict:
    """DinhDanhCHS: LoaiDinhDanh 1 a 12-digit personal ID number, 2 a 9-digit ID card, 3 a tax
    code (egov's value for a business)."""
    kind = {12: "1", 9: "2"}.get(len(number), "3") if number.isdigit() else "3"
    return {"LoaiDinhDanh": kind, "SoDinhDanh": number}


def _yes(flag: bool) -> str:
    return "1" if flag else "0"


def dossier_records(dossier_ids) -> dict[int, dict]:
    """DongBoHoSoMC records of these dossiers, by id (dossiers gone are left out)."""
    ids = list(dossier_ids)
    dossiers = (
        Dossier.objects.filter(pk__in=ids)
        .select_related(
            "procedure_version__procedure",
            "channel",
            "organisation",
            "applicant_citizen",
            "result",
            "supplement_request",
        )
        .prefetch_related("procedure_version__sectors")
    )
    ends = dict(
        ProgressRecord.objects.filter(dossier_id__in=ids, to_status__in=ENDING_STATUSES)
        .exclude(from_status=F("to_status"))
        .values("dossier_id")
        .annotate(at=Max("at"))
        .values_list("dossier_id", "at")
    )
    versions = dict(
        ProgressRecord.objects.filter(dossier_id__in=ids)
        .values("dossier_id")
        .annotate(v=Max("id"))
        .values_list("dossier_id", "v")
    )
    files: dict[int, list] = {}
    for component in DossierComponent.objects.filter(dossier_id__in=ids).select_related(
        "required_document"
    ):
        files.setdefault(component.dossier_id, []).append(component)
    fees = payment_fields(ids)
    out = {}
    for dossier in dossiers:
        out[dossier.pk] = _record(
            dossier,
            files.get(dossier.pk, []),
            fees.get(dossier.pk, {}),
            ends.get(dossier.pk),
            versions.get(dossier.pk, 0),
        )
    return out


def _record(dossier: Dossier, components, fees: dict, ended_at, version: int) -> dict:
    procedure = dossier.procedure_version.procedure
    sectors = list(dossier.procedure_version.sectors.all())
    sector = sectors[0] if sectors else None
    result = related(dossier, "result")
    supplement = related(dossier, "supplement_request")
    received = dossier.received_at or dossier.submitted_at or dossier.created_at
    record = {
        "MaHoSo": dossier.code,
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name,
        "MaLinhVuc": sector.code if sector else "",
        "TenLinhVuc": sector.name if sector else "",
        "ChuHoSo": dossier.applicant_name,
        # LoaiDoiTuong: 1 a citizen, 2 a business.
        "LoaiDoiTuong": "2" if dossier.applicant_kind == "business" else "1",
        "MaDoiTuong": dossier.applicant_id_number,
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": str(dossier.form_data.get("summary") or procedure.name)[:2000],
        "NgayTiepNhan": format_date(received),
        "NgayHenTra": format_date(dossier.due_at),
        "TrangThaiHoSo": str(dossier.status),
        "NgayTra": format_date(dossier.returned_at),
        # HinhThuc: how the result is given, 0 at the desk, 1 by post.
        "HinhThuc": "1" if dossier.channel.kind == ChannelKind.POST else "0",
        "NgayKetThucXuLy": format_date(ended_at if dossier.status in ENDING_STATUSES else None),
        "DonViXuLy": dossier.organisation.name,
        "KenhThucHien": CHANNEL.get(dossier.channel.kind, "1"),
        # NoiNopHoSo: 1 at the one-stop desk, 2 on the province's portal.
        "NoiNopHoSo": "2" if dossier.channel.kind == ChannelKind.ONLINE else "1",
        "DuocThanhToanTrucTuyen": fees.get("DuocThanhToanTrucTuyen", 0),
        "DanhSachLePhi": fees.get("DanhSachLePhi", []),
        "HoSoCoThanhPhanSoHoa": _yes(any(c.digitised for c in components)),
        # Citizens log in to egov with the e-ID (VNeID) only: an account is a verified one.
        "TaiKhoanDuocXacThucVoiVNeID": _yes(dossier.applicant_citizen_id is not None),
        "DinhDanhCHS": [_identity(dossier.applicant_id_number)],
        "TaiLieuNop": [
            {
                "TepDinhKemId": str(c.pk),
                "TenTepDinhKem": c.name,
                "MaThanhPhanHoSo": str(c.required_document_id or ""),
                "DuongDanTaiTepTin": absolute("dossiers:file", dossier.code, c.pk),
                "IsDeleted": False,
                "DuocSoHoa": _yes(c.digitised),
                "DuocTaiSuDung": _yes(c.reused),
                # Taken from the national data store: egov reuses the citizen's own store only.
                "DuocLayTuKhoDMQG": "0",
            }
            for c in components
        ],
        "DanhSachHoSoBoSung": (
            [
                {
                    "HoSoBoSungId": str(supplement.pk),
                    "NoiDungBoSung": supplement.reason,
                    "NgayBoSung": format_date(supplement.requested_at),
                    "NgayTiepNhanBoSung": format_date(supplement.supplemented_at),
                    "TrangThaiBoSung": _yes(supplement.supplemented_at is not None),
                }
            ]
            if supplement
            else []
        ),
        "DanhSachGiayToKetQua": (
            [
                {
                    "GiayToId": str(result.pk),
                    "TenGiayTo": result.name,
                    "MaThanhPhanHoSo": result.result_code,
                    "DuongDanTepTinKetQua": absolute("dossiers:result", dossier.code),
                }
            ]
            if result
            else []
        ),
        "PhienBan": version,
        # Only with the site's public address: a path alone means nothing at the national side.
        "DuongDanHoSo": (
            absolute("portal:my-dossier", dossier.code) if settings.EGOV_PUBLIC_URL else ""
        ),
    }
    return record


def progress_record(progress: ProgressRecord, code: str, unit: str) -> dict:
    """CapNhatTienDoHoSoMC record of one progress record of dossier ``code``."""
    return {
        "MaHoSo": code,
        "NguoiXuLy": progress.actor_name or _("System"),
        "ChucDanh": progress.actor_title,
        "ThoiDiemXuLy": format_date(progress.at),
        "PhongBanXuLy": unit,
        "NoiDungXuLy": progress.note or str(done_label(progress.action)),
        "TrangThai": str(progress.to_status),
        "NgayBatDau": format_date(progress.at),
        "NgayKetThucTheoQuyDinh": format_date(progress.step_due_at),
        "PhienBan": progress.pk,
    }
