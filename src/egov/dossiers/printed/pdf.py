"""The one-stop forms as signed PDFs (01–06) and the tracking book as .xlsx.

    from egov.dossiers.printed.pdf import render_form
    from egov.dossiers.printed.xlsx import tracking_book_xlsx

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

import io
from collections.abc import Sequence

from django.utils import timezone

from egov.core.signing import sign_pdf

from .content import from_dossier
from .data import (
    BOOK_COLUMNS,
    KINDS,
    TIMELINESS,
    FormData,
    FormError,
    TrackingBook,
    book_cells,
    fmt_datetime,
    fmt_short,
)
from .layout import (
    esc,
    font_dir,
    grid,
    header,
    make_styles,
    page_size,
    para,
    para_markup,
    qr_code,
    register_fonts,
    signature_block,
)


def applicant_lines(data: FormData, styles) -> list:
    a = data.applicant
    lines = [para_markup(f"Tên tổ chức, cá nhân: <b>{esc(a.name)}</b>", styles["body"])]
    if a.id_number:
        lines.append(para(f"Số định danh cá nhân / mã số thuế: {a.id_number}", styles["body"]))
    if a.address:
        lines.append(para(f"Địa chỉ: {a.address}", styles["body"]))
    contact = ", ".join(filter(None, [a.phone, a.email]))
    if contact:
        lines.append(para(f"Số điện thoại, thư điện tử: {contact}", styles["body"]))
    return lines


def procedure_line(data: FormData, styles):
    code = f" (mã {data.procedure_code})" if data.procedure_code else ""
    return para_markup(f"Thủ tục: <b>{esc(data.procedure_name)}</b>{esc(code)}", styles["body"])


def _form_01(data: FormData, styles, width, *, lookup_url: str = "", **_):
    from reportlab.platypus import Spacer, Table, TableStyle

    if not lookup_url:
        raise FormError("Form 01 needs lookup_url (the public lookup address for the QR code).")
    when = data.received_at or timezone.now()
    story = header(data.organisation, "01", styles, width, when, number=data.code)
    story.append(para(KINDS["01"], styles["title"]))
    story.append(para_markup(f"Mã hồ sơ: <b>{esc(data.code)}</b>", styles["center"]))
    story.append(Spacer(1, 4))
    story.append(
        para(f"{data.organisation.name} đã tiếp nhận hồ sơ của:", styles["body"]),
    )
    story += applicant_lines(data, styles)
    story.append(procedure_line(data, styles))
    if data.components:
        story.append(para("Thành phần hồ sơ nộp gồm:", styles["body"]))
        for i, c in enumerate(data.components, 1):
            copies = f" — {c.copies} bản" if c.copies else ""
            note = f" ({c.note})" if c.note else ""
            story.append(para(f"{i}. {c.name}{copies}{note}", styles["body"]))
    story.append(
        para(f"Số lượng hồ sơ: 01 bộ. Thời gian nhận: {fmt_datetime(when)}.", styles["body"])
    )
    story.append(
        para_markup(
            f"Thời gian trả kết quả: <b>{esc(fmt_datetime(data.due_at))}</b>.", styles["body"]
        )
    )
    if data.result_place:
        story.append(para(f"Nơi nhận kết quả: {data.result_place}.", styles["body"]))
    qr = qr_code(lookup_url, 26 * 2.8346)  # 26 mm
    lookup = para(
        "Tra cứu tình trạng hồ sơ: quét mã QR hoặc vào địa chỉ dưới đây, nhập mã hồ sơ và "
        f"số định danh của người nộp.\n{lookup_url}",
        styles["small"],
    )
    box = Table([[qr, lookup]], colWidths=[30 * 2.8346, width - 30 * 2.8346])
    box.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [Spacer(1, 4), box]
    story += signature_block(data, styles, width, left_title="Người nộp hồ sơ")
    return story


def _form_02(data: FormData, styles, width, *, missing: Sequence[str] = (), note="", **ctx):
    if not missing:
        raise FormError("Form 02 needs missing: the list of what the applicant must supplement.")
    when = ctx.get("at") or timezone.now()
    story = header(data.organisation, "02", styles, width, when)
    story.append(para(KINDS["02"], styles["title"]))
    story.append(para_markup(f"Mã hồ sơ: <b>{esc(data.code)}</b>", styles["center"]))
    story.append(para(f"{data.organisation.name} đã tiếp nhận hồ sơ của:", styles["body"]))
    story += applicant_lines(data, styles)
    story.append(procedure_line(data, styles))
    story.append(
        para(
            "Sau khi xem xét, đề nghị ông/bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
            styles["body"],
        )
    )
    for i, item in enumerate(missing, 1):
        story.append(para(f"{i}. {item}", styles["body"]))
    if note:
        story.append(para(f"Lý do: {note}", styles["body"]))
    story.append(
        para(
            "Thời hạn giải quyết tạm dừng từ khi phát hành phiếu này đến khi nhận đủ hồ sơ bổ "
            "sung. Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ "
            f"{data.organisation.name} để được hướng dẫn.",
            styles["body"],
        )
    )
    story += signature_block(data, styles, width)
    return story


def _form_03(data: FormData, styles, width, *, reason: str = "", **ctx):
    if not reason:
        raise FormError("Form 03 needs reason: why the dossier is not received.")
    when = ctx.get("at") or timezone.now()
    story = header(data.organisation, "03", styles, width, when)
    story.append(para(KINDS["03"], styles["title"]))
    story.append(para(f"{data.organisation.name} tiếp nhận hồ sơ của:", styles["body"]))
    story += applicant_lines(data, styles)
    story.append(procedure_line(data, styles))
    if data.code:
        story.append(para(f"Mã hồ sơ: {data.code}", styles["body"]))
    story.append(
        para(
            "Căn cứ quy định tại thủ tục hành chính, hồ sơ không đủ điều kiện tiếp nhận, giải "
            "quyết vì lý do sau:",
            styles["body"],
        )
    )
    story.append(para_markup(f"<b>{esc(reason)}</b>", styles["body"]))
    story.append(para("Xin thông báo để ông/bà được biết. Trân trọng!", styles["body"]))
    story += signature_block(data, styles, width)
    return story


def _form_04(data: FormData, styles, width, *, reason="", new_due_at=None, **ctx):
    if not reason or new_due_at is None:
        raise FormError("Form 04 needs reason and new_due_at.")
    when = ctx.get("at") or timezone.now()
    story = header(data.organisation, "04", styles, width, when)
    story.append(para(KINDS["04"], styles["title"]))
    story.append(para_markup(f"Mã hồ sơ: <b>{esc(data.code)}</b>", styles["center"]))
    story.append(
        para(
            f"{data.organisation.name} tiếp nhận hồ sơ của ông/bà/tổ chức "
            f"{data.applicant.name} lúc {fmt_datetime(data.received_at)}.",
            styles["body"],
        )
    )
    story.append(procedure_line(data, styles))
    story.append(
        para(
            "Thời gian hẹn trả kết quả giải quyết hồ sơ: "
            f"{fmt_datetime(ctx.get('previous_due_at') or data.due_at)}.",
            styles["body"],
        )
    )
    story.append(
        para(
            "Tuy nhiên đến nay, cơ quan chưa trả kết quả giải quyết hồ sơ của ông/bà/tổ chức "
            f"đúng hạn ghi trên giấy tiếp nhận hồ sơ và hẹn trả kết quả. Lý do: {reason}",
            styles["body"],
        )
    )
    story.append(
        para(
            "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của ông/bà/tổ chức. "
            f"{data.organisation.name} xin lỗi ông/bà/tổ chức và hẹn lại thời gian trả kết quả:",
            styles["body"],
        )
    )
    story.append(para_markup(f"<b>{esc(fmt_datetime(new_due_at))}</b>.", styles["center"]))
    story.append(para("Trân trọng!", styles["body"]))
    story += signature_block(data, styles, width)
    return story


def _form_05(data: FormData, styles, width, **ctx):
    when = ctx.get("at") or timezone.now()
    story = header(data.organisation, "05", styles, width, when)
    story.append(para(KINDS["05"], styles["title"]))
    story.append(
        para_markup(
            f"Kèm theo hồ sơ mã <b>{esc(data.code)}</b>; giấy tiếp nhận hồ sơ và hẹn trả kết quả "
            f"số {esc(data.code)}",
            styles["body"],
        )
    )
    story.append(
        para(f"Cơ quan (bộ phận) giải quyết hồ sơ: {data.organisation.name}", styles["body"])
    )
    story += applicant_lines(data, styles)
    story.append(procedure_line(data, styles))
    story.append(
        para(
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
    story.append(grid(rows, [width * s for s in shares], styles))
    return story


def _form_06(book: TrackingBook, styles, width, **ctx):
    from reportlab.platypus import Spacer

    when = ctx.get("at") or timezone.now()
    story = header(book.organisation, "06", styles, width, when)
    story.append(para(KINDS["06"], styles["title"]))
    story.append(
        para(
            f"Từ ngày {fmt_short(book.date_from)} đến ngày {fmt_short(book.date_to)}",
            styles["center"],
        )
    )
    story.append(Spacer(1, 4))
    rows = [list(BOOK_COLUMNS)]
    for i, r in enumerate(book.rows, 1):
        rows.append(book_cells(i, r))
    if len(rows) == 1:
        rows.append(["", "", "(không có hồ sơ)"] + [""] * (len(BOOK_COLUMNS) - 3))
    shares = [0.035, 0.14, 0.145, 0.045, 0.11, 0.11, 0.09, 0.09, 0.09, 0.09, 0.055]
    story.append(grid(rows, [width * s for s in shares], styles))
    story.append(para(f"Tổng số hồ sơ: {len(book.rows)}", styles["body"]))
    return story


BUILDERS = {
    "01": _form_01,
    "02": _form_02,
    "03": _form_03,
    "04": _form_04,
    "05": _form_05,
    "06": _form_06,
}


def form_data(dossier) -> FormData:
    """The plain data of a dossier's forms (a FormData is returned as it is)."""
    if isinstance(dossier, FormData | TrackingBook):
        return dossier
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
    register_fonts(str(font_dir()))
    pagesize = page_size(kind)
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
    styles = make_styles(9.5 if kind in {"01", "02", "03", "04"} else 10)
    story = BUILDERS[kind](data, styles, doc.width, **ctx)
    doc.build(story)
    pdf = buf.getvalue()
    if not sign:
        return pdf
    org = data.organisation
    return sign_pdf(pdf, org, reason=f"Mẫu số {kind}: {title}", location=org.place or None)
