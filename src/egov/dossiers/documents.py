"""The one-stop forms as signed PDFs (01–06) and the tracking book as .xlsx.

    from egov.dossiers.documents import render_form, tracking_book_xlsx

    pdf = render_form("01", dossier, lookup_url="https://.../tra-cuu/?code=...")
    pdf = render_form("02", dossier, missing=["Bản sao giấy chứng sinh"], note="...")
    pdf = render_form("03", dossier, reason="...")
    pdf = render_form("04", dossier, reason="...", new_due_at=when)
    pdf = render_form("05", dossier)                       # every hand-off of the dossier
    pdf = render_form("06", book)            # a TrackingBook (date range, organisation)
    xlsx = tracking_book_xlsx(book)

``dossier`` is a :class:`FormData` (plain data: what a form shows) or anything
:func:`form_data` turns into one (a ``egov.dossiers`` Dossier). Every PDF is signed with the
organisation's certificate (:func:`egov.core.signing.sign_pdf`, PAdES B-B) unless ``sign=False``.

The forms follow the one-stop forms of Circular 01/2018/TT-VPCP (mẫu số 01–06) and are always in
Vietnamese, whatever the page language: they are official documents. Text is set in DejaVu Sans
(Debian's fonts-dejavu-core), embedded as a TrueType subset, so every Vietnamese letter shows.
Paper: the four short notices (01–04) are A5 portrait, the control sheet (05) is A4 portrait and
the tracking book (06) A4 landscape (its table is wide).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

KINDS = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "06": "SỔ THEO DÕI HỒ SƠ",
}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"


class FormError(ValueError):
    """A form cannot be made from what was given (unknown kind, missing context, no font)."""


# --------------------------------------------------------------------------- plain data


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


# --------------------------------------------------------------------------- formatting

TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def fmt_datetime(value: dt.datetime | None) -> str:
    """``14 giờ 30 phút, ngày 28/11/2026``; empty for None."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.hour:02d} giờ {value.minute:02d} phút, ngày {value:%d/%m/%Y}"


def fmt_short(value: dt.datetime | dt.date | None) -> str:
    """``28/11/2026 14:30`` (a datetime) or ``28/11/2026`` (a date); empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{_local(value):%d/%m/%Y %H:%M}"
    return f"{value:%d/%m/%Y}"


def fmt_place_date(place: str, when: dt.datetime | dt.date) -> str:
    """``Hà Nội, ngày 28 tháng 11 năm 2026``."""
    if isinstance(when, dt.datetime):
        when = _local(when).date()
    text = f"ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"
    return f"{place}, {text}" if place else text.capitalize()


# --------------------------------------------------------------------------- fonts and styles


def _font_dir() -> Path:
    return Path(getattr(settings, "EGOV_PDF_FONT_DIR", FONT_DIR))


@lru_cache(maxsize=1)
def _register_fonts(directory: str) -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
    files[FONT_ITALIC] = "DejaVuSans-Oblique.ttf"
    for name, filename in files.items():
        path = Path(directory) / filename
        if not path.exists():
            raise FormError(
                f"Font file missing: {path}. Install Debian's fonts-dejavu-core "
                "(or set EGOV_PDF_FONT_DIR to a folder holding the DejaVu Sans TTF files)."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)


def _styles(base_size: float) -> dict:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=base_size, leading=base_size * 1.35)
    return {
        "body": body,
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "center_bold": ParagraphStyle(
            "center_bold", parent=body, alignment=TA_CENTER, fontName=FONT_BOLD
        ),
        "title": ParagraphStyle(
            "title",
            parent=body,
            alignment=TA_CENTER,
            fontName=FONT_BOLD,
            fontSize=base_size + 2,
            leading=(base_size + 2) * 1.3,
            spaceBefore=base_size * 0.8,
            spaceAfter=base_size * 0.6,
        ),
        "head_center": ParagraphStyle(
            "head_center", parent=body, alignment=TA_CENTER, fontSize=base_size - 1
        ),
        "head_center_bold": ParagraphStyle(
            "head_center_bold",
            parent=body,
            alignment=TA_CENTER,
            fontSize=base_size - 1,
            fontName=FONT_BOLD,
        ),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT, fontName=FONT_ITALIC),
        "small": ParagraphStyle("small", parent=body, fontSize=base_size - 1.5),
        "cell": ParagraphStyle(
            "cell", parent=body, fontSize=base_size - 1.5, leading=(base_size - 1.5) * 1.25
        ),
        "head": ParagraphStyle(
            "head",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=base_size - 1.5,
            leading=(base_size - 1.5) * 1.25,
            alignment=TA_CENTER,
        ),
    }


def _p(text: str, style):
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _pm(markup: str, style):
    """A paragraph of trusted markup (our own <b>/<i> around escaped values)."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup, style)


def _e(value) -> str:
    from xml.sax.saxutils import escape

    return escape(str(value or ""))


def _header(org: Organisation, kind: str, styles, width: float, when: dt.datetime, number=""):
    """The national header: the organisation on the left, the motto on the right."""
    from reportlab.platypus import Table, TableStyle

    small, small_bold = styles["head_center"], styles["head_center_bold"]
    left = []
    if org.parent_name:
        left.append(_p(org.parent_name.upper(), small))
    left.append(_p(org.name.upper(), small_bold))
    left.append(_p("———", small))
    if number:
        left.append(_p(f"Số: {number}", small))
    right = [
        _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small_bold),
        _p("Độc lập - Tự do - Hạnh phúc", small_bold),
        _p("———", small),
        _pm(f"<i>{_e(fmt_place_date(org.place, when))}</i>", small),
    ]
    table = Table([[left, right]], colWidths=[width * 0.4, width * 0.6])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [_p(f"Mẫu số {kind}", styles["right"]), table]


def _signature_block(data: FormData, styles, width: float, left_title: str = ""):
    """Signature places: the applicant (when asked) on the left, the official on the right."""
    from reportlab.platypus import Spacer, Table, TableStyle

    right = [
        _p((data.official_title or "NGƯỜI TIẾP NHẬN").upper(), styles["center_bold"]),
        _pm("<i>(Ký điện tử)</i>", styles["center"]),
        Spacer(1, 6),
        _p(data.official, styles["center_bold"]),
    ]
    left = [_p(left_title.upper(), styles["center_bold"])] if left_title else ""
    table = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 8), table]


def _grid(rows, col_widths, styles, repeat=1):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    head = [[_p(text, styles["head"]) for text in rows[0]]]
    body = [[_p(str(cell), styles["cell"]) for cell in row] for row in rows[1:]]
    table = Table(head + body, colWidths=col_widths, repeatRows=repeat)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    return table


def _qr(value: str, size: float):
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


# --------------------------------------------------------------------------- the forms


def _applicant_lines(data: FormData, styles) -> list:
    a = data.applicant
    lines = [_pm(f"Tên tổ chức, cá nhân: <b>{_e(a.name)}</b>", styles["body"])]
    if a.id_number:
        lines.append(_p(f"Số định danh cá nhân / mã số thuế: {a.id_number}", styles["body"]))
    if a.address:
        lines.append(_p(f"Địa chỉ: {a.address}", styles["body"]))
    contact = ", ".join(filter(None, [a.phone, a.email]))
    if contact:
        lines.append(_p(f"Số điện thoại, thư điện tử: {contact}", styles["body"]))
    return lines


def _procedure_line(data: FormData, styles):
    code = f" (mã {data.procedure_code})" if data.procedure_code else ""
    return _pm(f"Thủ tục: <b>{_e(data.procedure_name)}</b>{_e(code)}", styles["body"])


def _form_01(data: FormData, styles, width, *, lookup_url: str = "", **_):
    from reportlab.platypus import Spacer, Table, TableStyle

    if not lookup_url:
        raise FormError("Form 01 needs lookup_url (the public lookup address for the QR code).")
    when = data.received_at or timezone.now()
    story = _header(data.organisation, "01", styles, width, when, number=data.code)
    story.append(_p(KINDS["01"], styles["title"]))
    story.append(_pm(f"Mã hồ sơ: <b>{_e(data.code)}</b>", styles["center"]))
    story.append(Spacer(1, 4))
    story.append(
        _p(f"{data.organisation.name} đã tiếp nhận hồ sơ của:", styles["body"]),
    )
    story += _applicant_lines(data, styles)
    story.append(_procedure_line(data, styles))
    if data.components:
        story.append(_p("Thành phần hồ sơ nộp gồm:", styles["body"]))
        for i, c in enumerate(data.components, 1):
            copies = f" — {c.copies} bản" if c.copies else ""
            note = f" ({c.note})" if c.note else ""
            story.append(_p(f"{i}. {c.name}{copies}{note}", styles["body"]))
    story.append(
        _p(f"Số lượng hồ sơ: 01 bộ. Thời gian nhận: {fmt_datetime(when)}.", styles["body"])
    )
    story.append(
        _pm(f"Thời gian trả kết quả: <b>{_e(fmt_datetime(data.due_at))}</b>.", styles["body"])
    )
    if data.result_place:
        story.append(_p(f"Nơi nhận kết quả: {data.result_place}.", styles["body"]))
    qr = _qr(lookup_url, 26 * 2.8346)  # 26 mm
    lookup = _p(
        "Tra cứu tình trạng hồ sơ: quét mã QR hoặc vào địa chỉ dưới đây, nhập mã hồ sơ và "
        f"số định danh của người nộp.\n{lookup_url}",
        styles["small"],
    )
    box = Table([[qr, lookup]], colWidths=[30 * 2.8346, width - 30 * 2.8346])
    box.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [Spacer(1, 4), box]
    story += _signature_block(data, styles, width, left_title="Người nộp hồ sơ")
    return story


def _form_02(data: FormData, styles, width, *, missing: Sequence[str] = (), note="", **ctx):
    if not missing:
        raise FormError("Form 02 needs missing: the list of what the applicant must supplement.")
    when = ctx.get("at") or timezone.now()
    story = _header(data.organisation, "02", styles, width, when)
    story.append(_p(KINDS["02"], styles["title"]))
    story.append(_pm(f"Mã hồ sơ: <b>{_e(data.code)}</b>", styles["center"]))
    story.append(_p(f"{data.organisation.name} đã tiếp nhận hồ sơ của:", styles["body"]))
    story += _applicant_lines(data, styles)
    story.append(_procedure_line(data, styles))
    story.append(
        _p(
            "Sau khi xem xét, đề nghị ông/bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
            styles["body"],
        )
    )
    for i, item in enumerate(missing, 1):
        story.append(_p(f"{i}. {item}", styles["body"]))
    if note:
        story.append(_p(f"Lý do: {note}", styles["body"]))
    story.append(
        _p(
            "Thời hạn giải quyết tạm dừng từ khi phát hành phiếu này đến khi nhận đủ hồ sơ bổ "
            "sung. Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ "
            f"{data.organisation.name} để được hướng dẫn.",
            styles["body"],
        )
    )
    story += _signature_block(data, styles, width)
    return story


def _form_03(data: FormData, styles, width, *, reason: str = "", **ctx):
    if not reason:
        raise FormError("Form 03 needs reason: why the dossier is not received.")
    when = ctx.get("at") or timezone.now()
    story = _header(data.organisation, "03", styles, width, when)
    story.append(_p(KINDS["03"], styles["title"]))
    story.append(_p(f"{data.organisation.name} tiếp nhận hồ sơ của:", styles["body"]))
    story += _applicant_lines(data, styles)
    story.append(_procedure_line(data, styles))
    if data.code:
        story.append(_p(f"Mã hồ sơ: {data.code}", styles["body"]))
    story.append(
        _p(
            "Căn cứ quy định tại thủ tục hành chính, hồ sơ không đủ điều kiện tiếp nhận, giải "
            "quyết vì lý do sau:",
            styles["body"],
        )
    )
    story.append(_pm(f"<b>{_e(reason)}</b>", styles["body"]))
    story.append(_p("Xin thông báo để ông/bà được biết. Trân trọng!", styles["body"]))
    story += _signature_block(data, styles, width)
    return story


def _form_04(data: FormData, styles, width, *, reason="", new_due_at=None, **ctx):
    if not reason or new_due_at is None:
        raise FormError("Form 04 needs reason and new_due_at.")
    when = ctx.get("at") or timezone.now()
    story = _header(data.organisation, "04", styles, width, when)
    story.append(_p(KINDS["04"], styles["title"]))
    story.append(_pm(f"Mã hồ sơ: <b>{_e(data.code)}</b>", styles["center"]))
    story.append(
        _p(
            f"{data.organisation.name} tiếp nhận hồ sơ của ông/bà/tổ chức "
            f"{data.applicant.name} lúc {fmt_datetime(data.received_at)}.",
            styles["body"],
        )
    )
    story.append(_procedure_line(data, styles))
    story.append(
        _p(
            "Thời gian hẹn trả kết quả giải quyết hồ sơ: "
            f"{fmt_datetime(ctx.get('previous_due_at') or data.due_at)}.",
            styles["body"],
        )
    )
    story.append(
        _p(
            "Tuy nhiên đến nay, cơ quan chưa trả kết quả giải quyết hồ sơ của ông/bà/tổ chức "
            f"đúng hạn ghi trên giấy tiếp nhận hồ sơ và hẹn trả kết quả. Lý do: {reason}",
            styles["body"],
        )
    )
    story.append(
        _p(
            "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của ông/bà/tổ chức. "
            f"{data.organisation.name} xin lỗi ông/bà/tổ chức và hẹn lại thời gian trả kết quả:",
            styles["body"],
        )
    )
    story.append(_pm(f"<b>{_e(fmt_datetime(new_due_at))}</b>.", styles["center"]))
    story.append(_p("Trân trọng!", styles["body"]))
    story += _signature_block(data, styles, width)
    return story


def _form_05(data: FormData, styles, width, **ctx):
    when = ctx.get("at") or timezone.now()
    story = _header(data.organisation, "05", styles, width, when)
    story.append(_p(KINDS["05"], styles["title"]))
    story.append(
        _pm(
            f"Kèm theo hồ sơ mã <b>{_e(data.code)}</b>; giấy tiếp nhận hồ sơ và hẹn trả kết quả "
            f"số {_e(data.code)}",
            styles["body"],
        )
    )
    story.append(
        _p(f"Cơ quan (bộ phận) giải quyết hồ sơ: {data.organisation.name}", styles["body"])
    )
    story += _applicant_lines(data, styles)
    story.append(_procedure_line(data, styles))
    story.append(
        _p(
            f"Nhận hồ sơ: {fmt_datetime(data.received_at)}. Hẹn trả: {fmt_datetime(data.due_at)}.",
            styles["body"],
        )
    )
    rows = [["STT", "Thời gian", "Việc thực hiện", "Người thực hiện", "Đơn vị", "Hạn", "Kết quả"]]
    for i, step in enumerate(data.history, 1):
        actor = ", ".join(filter(None, [step.actor, step.title]))
        action = f"{step.action}\n{step.note}" if step.note else step.action
        rows.append(
            [
                i,
                fmt_short(step.at),
                action,
                actor,
                step.unit,
                fmt_short(step.due_at),
                TIMELINESS.get(step.timeliness, step.timeliness),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "", "(chưa có bước nào)", "", "", "", ""])
    shares = [0.06, 0.15, 0.24, 0.17, 0.15, 0.13, 0.10]
    story.append(_grid(rows, [width * s for s in shares], styles))
    return story


def _form_06(book: TrackingBook, styles, width, **ctx):
    from reportlab.platypus import Spacer

    when = ctx.get("at") or timezone.now()
    story = _header(book.organisation, "06", styles, width, when)
    story.append(_p(KINDS["06"], styles["title"]))
    story.append(
        _p(
            f"Từ ngày {fmt_short(book.date_from)} đến ngày {fmt_short(book.date_to)}",
            styles["center"],
        )
    )
    story.append(Spacer(1, 4))
    rows = [list(BOOK_COLUMNS)]
    for i, r in enumerate(book.rows, 1):
        rows.append(_book_cells(i, r))
    if len(rows) == 1:
        rows.append(["", "", "(không có hồ sơ)"] + [""] * (len(BOOK_COLUMNS) - 3))
    shares = [0.035, 0.14, 0.145, 0.045, 0.11, 0.11, 0.09, 0.09, 0.09, 0.09, 0.055]
    story.append(_grid(rows, [width * s for s in shares], styles))
    story.append(_p(f"Tổng số hồ sơ: {len(book.rows)}", styles["body"]))
    return story


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


def _book_cells(i: int, r: BookRow) -> list:
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


BUILDERS = {
    "01": _form_01,
    "02": _form_02,
    "03": _form_03,
    "04": _form_04,
    "05": _form_05,
    "06": _form_06,
}


def _page_size(kind: str):
    from reportlab.lib.pagesizes import A4, A5, landscape

    if kind in {"01", "02", "03", "04"}:
        return A5
    if kind == "06":
        return landscape(A4)
    return A4


def form_data(dossier) -> FormData:
    """The plain data of a dossier's forms (a FormData is returned as it is)."""
    if isinstance(dossier, FormData | TrackingBook):
        return dossier
    from egov.dossiers.formdata import from_dossier

    return from_dossier(dossier)


def render_form(kind: str, dossier, *, sign: bool = True, **ctx) -> bytes:
    """Form ``kind`` ("01".."06") for ``dossier`` as PDF bytes, signed unless ``sign=False``.

    Context by kind: 01 ``lookup_url``; 02 ``missing`` (list), ``note``; 03 ``reason``;
    04 ``reason``, ``new_due_at`` (``previous_due_at``: default the dossier's due time);
    06 takes a :class:`TrackingBook` in place of the dossier.
    Every kind accepts ``at`` (the date printed in the header; default now).
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    if kind not in BUILDERS:
        raise FormError(f"Unknown form {kind!r}: one of {', '.join(BUILDERS)}.")
    data = form_data(dossier)
    if (kind == "06") != isinstance(data, TrackingBook):
        raise FormError("Form 06 takes a TrackingBook; forms 01–05 take a dossier.")
    _register_fonts(str(_font_dir()))
    pagesize = _page_size(kind)
    margin = 12 * mm if pagesize[0] < 500 else 15 * mm
    buf = io.BytesIO()
    title = KINDS[kind].capitalize()
    subject = data.code if isinstance(data, FormData) else fmt_short(data.date_from)
    doc = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"Mẫu số {kind}: {title}",
        author=data.organisation.name,
        subject=subject,
        creator="egov",
        lang="vi-VN",
    )
    styles = _styles(9.5 if kind in {"01", "02", "03", "04"} else 10)
    story = BUILDERS[kind](data, styles, doc.width, **ctx)
    doc.build(story)
    pdf = buf.getvalue()
    if not sign:
        return pdf
    from egov.core.signing import sign_pdf

    org = data.organisation
    return sign_pdf(pdf, org, reason=f"Mẫu số {kind}: {title}", location=org.place or None)


# --------------------------------------------------------------------------- tracking book xlsx


def tracking_book_xlsx(book: TrackingBook) -> bytes:
    """The tracking book as an Excel workbook: a title block, then one row per dossier."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    ws.append([book.organisation.name])
    ws.append([f"{KINDS['06']} (Mẫu số 06)"])
    ws.append([f"Từ ngày {fmt_short(book.date_from)} đến ngày {fmt_short(book.date_to)}"])
    header_row = 5  # after the title block and an empty row
    for col, title in enumerate(BOOK_COLUMNS, 1):
        ws.cell(row=header_row, column=col, value=title)
    for i, r in enumerate(book.rows, 1):
        cells = _book_cells(i, r)
        # Real dates in the date columns, so a spreadsheet sorts and filters them.
        for col, value in ((7, r.received_at), (8, r.due_at), (9, r.returned_at)):
            cells[col] = _local(value).replace(tzinfo=None) if value else None
        ws.append(cells)
    thin = Side(style="thin")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    ws["A1"].font = Font(bold=True)
    ws["A2"].font = Font(bold=True, size=13)
    for row in ws.iter_rows(min_row=header_row + 1, min_col=8, max_col=10):
        for cell in row:
            cell.number_format = "dd/mm/yyyy hh:mm"
    widths = [6, 24, 40, 10, 26, 30, 28, 17, 17, 17, 24]
    for idx, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(idx)].width = w
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(BOOK_COLUMNS))}{ws.max_row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
