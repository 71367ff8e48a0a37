"""The table of acceptance and explanation (bảng tổng hợp tiếp thu, giải trình) as files: a PDF
sealed by the drafting agency (egov.core.signing.sign_pdf, PAdES B-B with the organisation's
certificate, as a petition's answer or the cabinet's minutes are) and the same table as .docx
(python-docx), written when the result is published and public from then on.

Both files come from ``rows(consultation)``, the rows the JSON summary serves, so the three
never disagree. Always in Vietnamese (an official document), DejaVu Sans in the PDF."""

from __future__ import annotations

import hashlib
import io

from django.utils import timezone

from egov.consultation.models import AnswerKind, Comment, Consultation, Moderation, SummaryTable
from egov.core.signing import sign_pdf
from egov.dossiers.services.files import StoredFiles

KIND_VI = {AnswerKind.ACCEPTED: "Tiếp thu", AnswerKind.EXPLAINED: "Giải trình"}
HEADERS = [
    "STT",
    "Nội dung góp ý",
    "Số ý kiến",
    "Tiếp thu, giải trình",
    "Nội dung tiếp thu, giải trình",
]
MAX_LISTED = 20
TITLE = "BẢNG TỔNG HỢP TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý"


def rows(consultation: Consultation) -> list[dict]:
    """One row per answer, in the order of the first comment it answers: its kind, text, the
    unit it changed, the published comments it answers (with their text and anchor) and how
    many commenters that is, duplicates included. Two queries, however many answers."""
    comments = (
        Comment.objects.filter(
            consultation=consultation,
            moderation=Moderation.VISIBLE,
            leader__isnull=True,
            answer__isnull=False,
        )
        .select_related("answer__changed_unit__version")
        .order_by("received_at", "pk")
    )
    out: dict[int, dict] = {}
    for comment in comments:
        a = comment.answer
        unit = a.changed_unit
        row = out.setdefault(
            a.pk,
            {
                "answer_kind": a.kind,
                "answer": a.text,
                "changed_anchor": unit.anchor if unit else None,
                "changed_label": _unit_label(unit) if unit else None,
                "changed_version": unit.version.number if unit else None,
                "comments": [],
                "comment_texts": [],
                "commenters": 0,
            },
        )
        row["comments"].append(comment.pk)
        where = comment.anchor or "toàn văn"
        row["comment_texts"].append(f"[{where}] {comment.text}")
        row["commenters"] += comment.group_size
    return list(out.values())


def _unit_label(unit) -> str:
    # "dieu-3.khoan-1.diem-a" → "Điều 3 khoản 1 điểm a": readable without the draft at hand.
    names = {"dieu": "Điều", "khoan": "khoản", "diem": "điểm", "chuong": "Chương"}
    words = []
    for part in unit.anchor.split("."):
        kind, _, number = part.partition("-")
        words.append(f"{names.get(kind, kind)} {'đ' if number == 'dd' else number}")
    return " ".join(words)


def _cells(index: int, row: dict) -> list[str]:
    answer = row["answer"]
    if row["changed_label"]:
        answer = f"{answer}\n(Sửa {row['changed_label']}, dự thảo lần {row['changed_version']})"
    # One answer may cover hundreds of comments: the first ones in full, then their count (the
    # JSON table and the comments' CSV list every one).
    texts = row["comment_texts"][:MAX_LISTED]
    if len(row["comment_texts"]) > MAX_LISTED:
        texts.append(f"… và {len(row['comment_texts']) - MAX_LISTED} ý kiến khác.")
    return [
        str(index),
        "\n".join(texts),
        str(row["commenters"]),
        KIND_VI.get(row["answer_kind"], row["answer_kind"]),
        answer,
    ]


def _intro(consultation: Consultation) -> list[str]:
    draft = consultation.draft
    return [
        f"Dự thảo: {draft.title} (mã {draft.code})",
        f"Lấy ý kiến: {consultation.title} (mã {consultation.code})",
    ]


def render_pdf(consultation: Consultation, table: list[dict], *, at) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from egov.dossiers.printed.layout import font_dir, grid, make_styles, para, register_fonts

    at = timezone.localtime(at)
    organisation = consultation.organisation
    register_fonts(str(font_dir()))
    styles = make_styles(10)
    buf = io.BytesIO()
    size = landscape(A4)
    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Bảng tổng hợp tiếp thu, giải trình {consultation.code}",
        author=organisation.name,
        subject=consultation.code,
        creator="egov",
        lang="vi-VN",
    )
    width = size[0] - 30 * mm
    story = [
        para(organisation.name.upper(), styles["head_center_bold"]),
        para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["head_center_bold"]),
        para("Độc lập - Tự do - Hạnh phúc", styles["head_center"]),
        Spacer(1, 3 * mm),
        para(f"Ngày {at:%d} tháng {at:%m} năm {at:%Y}", styles["right"]),
        para(TITLE, styles["title"]),
        *(para(line, styles["body"]) for line in _intro(consultation)),
        Spacer(1, 3 * mm),
    ]
    body = [_cells(i, row) for i, row in enumerate(table, start=1)]
    if body:
        fractions = [0.05, 0.38, 0.08, 0.11, 0.38]
        table = grid([HEADERS, *body], [width * f for f in fractions], styles)
        # A long comment or answer makes a row taller than a page: split it across pages
        # rather than fail the publication (reportlab raises LayoutError otherwise).
        table.splitInRow = 1
        story.append(table)
    else:
        story.append(para("Không có ý kiến góp ý nào được công bố.", styles["body"]))
    story += [Spacer(1, 8 * mm), para(organisation.name, styles["center_bold"])]
    doc.build(story)
    return sign_pdf(
        buf.getvalue(),
        organisation,
        reason=f"Bảng tổng hợp tiếp thu, giải trình {consultation.code}",
        location=getattr(organisation, "place", None) or None,
    )


def render_docx(consultation: Consultation, table: list[dict], *, at) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    at = timezone.localtime(at)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(12)
    doc.core_properties.title = f"Bảng tổng hợp tiếp thu, giải trình {consultation.code}"
    doc.core_properties.author = consultation.organisation.name
    doc.core_properties.language = "vi-VN"

    def centred(text, *, bold=False):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = bold
        return p

    centred(consultation.organisation.name.upper(), bold=True)
    centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    centred("Độc lập - Tự do - Hạnh phúc")
    dated = doc.add_paragraph()
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated.add_run(f"Ngày {at:%d} tháng {at:%m} năm {at:%Y}").italic = True
    centred(TITLE, bold=True)
    for line in _intro(consultation):
        doc.add_paragraph(line)
    grid = doc.add_table(rows=1, cols=len(HEADERS))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, HEADERS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for i, row in enumerate(table, start=1):
        for cell, text in zip(grid.add_row().cells, _cells(i, row), strict=True):
            cell.text = text
    centred(consultation.organisation.name, bold=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write(consultation: Consultation, stored: StoredFiles, *, at=None) -> SummaryTable:
    """Make both files and their row (called inside the act's transaction: ``stored`` deletes
    the files again if it rolls back). A consultation has one table: a second call replaces
    nothing and returns the first."""
    existing = SummaryTable.objects.filter(consultation=consultation).first()
    if existing is not None:
        return existing
    at = at or timezone.now()
    table = rows(consultation)
    pdf = render_pdf(consultation, table, at=at)
    docx = render_docx(consultation, table, at=at)
    base = f"consultation/{consultation.code}/summary/{consultation.code}-tiep-thu-giai-trinh"
    row = SummaryTable(
        consultation=consultation,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        answers=len(table),
        commenters=sum(r["commenters"] for r in table),
        made_at=at,
    )
    row.pdf.name = stored.save(f"{base}.pdf", pdf)
    row.docx.name = stored.save(f"{base}.docx", docx)
    row.save()
    return row
