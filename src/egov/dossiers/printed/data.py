"""The printed one-stop forms' plain data (what a form shows, whatever it was read from), their
titles, and how dates are written on them. The forms follow Circular 01/2018/TT-VPCP (mẫu số
01–06) and are always in Vietnamese."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

KINDS = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "06": "SỔ THEO DÕI HỒ SƠ",
}


class FormError(ValueError):
    """A form cannot be made from what was given (unknown kind, missing context, no font)."""


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    # The body above it, printed over its name in the header (e.g. "UBND TỈNH ...").
    parent_name: str = ""
    # Where it is (for "..., ngày ... tháng ... năm ...").
    place: str = ""


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Component:
    """A document of the dossier: its name, copies, whether the original was shown."""

    name: str
    copies: int = 1
    note: str = ""


@dataclass(frozen=True)
class Step:
    """One progress record: a hand-off or an act on the dossier."""

    at: dt.datetime
    action: str
    actor: str = ""
    title: str = ""
    unit: str = ""
    due_at: dt.datetime | None = None
    # "early" / "on_time" / "late" once the step is done, "" otherwise.
    timeliness: str = ""
    note: str = ""


@dataclass(frozen=True)
class FormData:
    """What the forms of one dossier show."""

    organisation: Organisation
    code: str
    procedure_name: str
    applicant: Applicant
    procedure_code: str = ""
    received_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    components: tuple[Component, ...] = ()
    history: tuple[Step, ...] = ()
    # The official who signs for the desk, and their title.
    official: str = ""
    official_title: str = ""
    # Where the result is handed over ("Bộ phận Một cửa ..." or "qua dịch vụ bưu chính").
    result_place: str = ""
    status_label: str = ""


@dataclass(frozen=True)
class BookRow:
    code: str
    procedure_name: str
    applicant_name: str
    applicant_contact: str
    lead_unit: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    returned_at: dt.datetime | None = None
    status_label: str = ""
    copies: int = 1
    note: str = ""


@dataclass(frozen=True)
class TrackingBook:
    organisation: Organisation
    date_from: dt.date
    date_to: dt.date
    rows: tuple[BookRow, ...] = field(default_factory=tuple)


TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def local_time(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def fmt_datetime(value: dt.datetime | None) -> str:
    """``14 giờ 30 phút, ngày 28/11/2026``; empty for None."""
    if value is None:
        return ""
    value = local_time(value)
    return f"{value.hour:02d} giờ {value.minute:02d} phút, ngày {value:%d/%m/%Y}"


def fmt_short(value: dt.datetime | dt.date | None) -> str:
    """``28/11/2026 14:30`` (a datetime) or ``28/11/2026`` (a date); empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{local_time(value):%d/%m/%Y %H:%M}"
    return f"{value:%d/%m/%Y}"


def fmt_place_date(place: str, when: dt.datetime | dt.date) -> str:
    """``Hà Nội, ngày 28 tháng 11 năm 2026``."""
    if isinstance(when, dt.datetime):
        when = local_time(when).date()
    text = f"ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"
    return f"{place}, {text}" if place else text.capitalize()


BOOK_COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Ghi chú",
)


def book_cells(i: int, r: BookRow) -> list:
    note = "; ".join(filter(None, [r.status_label, r.note]))
    return [
        i,
        r.code,
        r.procedure_name,
        r.copies,
        r.applicant_name,
        r.applicant_contact,
        r.lead_unit,
        fmt_short(r.received_at),
        fmt_short(r.due_at),
        fmt_short(r.returned_at),
        note,
    ]
