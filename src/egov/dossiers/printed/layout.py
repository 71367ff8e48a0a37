"""How the printed forms look: the DejaVu Sans fonts (every Vietnamese letter, embedded as a
subset), the styles, the national header, the signature block, tables, the QR code, the paper
sizes (01–04 A5 portrait, 05 A4 portrait, 06 A4 landscape)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .data import FormData, FormError, Organisation, fmt_place_date

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"


def font_dir() -> Path:
    return Path(settings.EGOV_PDF_FONT_DIR)


@lru_cache(maxsize=1)
def register_fonts(directory: str) -> None:
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


def make_styles(base_size: float) -> dict:
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


def para(text: str, style):
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def para_markup(markup: str, style):
    """A paragraph of trusted markup (our own <b>/<i> around escaped values)."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup, style)


def esc(value) -> str:
    from xml.sax.saxutils import escape

    return escape(str(value or ""))


def header(org: Organisation, kind: str, styles, width: float, when: dt.datetime, number=""):
    """The national header: the organisation on the left, the motto on the right."""
    from reportlab.platypus import Table, TableStyle

    small, small_bold = styles["head_center"], styles["head_center_bold"]
    left = []
    if org.parent_name:
        left.append(para(org.parent_name.upper(), small))
    left.append(para(org.name.upper(), small_bold))
    left.append(para("———", small))
    if number:
        left.append(para(f"Số: {number}", small))
    right = [
        para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small_bold),
        para("Độc lập - Tự do - Hạnh phúc", small_bold),
        para("———", small),
        para_markup(f"<i>{esc(fmt_place_date(org.place, when))}</i>", small),
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
    return [para(f"Mẫu số {kind}", styles["right"]), table]


def signature_block(data: FormData, styles, width: float, left_title: str = ""):
    """Signature places: the applicant (when asked) on the left, the official on the right."""
    from reportlab.platypus import Spacer, Table, TableStyle

    right = [
        para((data.official_title or "NGƯỜI TIẾP NHẬN").upper(), styles["center_bold"]),
        para_markup("<i>(Ký điện tử)</i>", styles["center"]),
        Spacer(1, 6),
        para(data.official, styles["center_bold"]),
    ]
    left = [para(left_title.upper(), styles["center_bold"])] if left_title else ""
    table = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 8), table]


CELL_PADDING = 3


def fit_words(headers, col_widths, style) -> list[float]:
    """Column widths in which every word of every header fits whole: a narrow column gets what
    its longest word needs, taken from the columns with room to spare (in proportion to it).
    Without this the tracking book printed "ST T" and "Số l ượn g hồ sơ"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    need = [
        max((stringWidth(w, style.fontName, style.fontSize) for w in str(h).split()), default=0)
        + 2 * CELL_PADDING
        + 1
        for h in headers
    ]
    widths = list(col_widths)
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    spare = [max(0.0, w - n) for n, w in zip(need, widths, strict=True)]
    if short <= 0 or sum(spare) < short:
        return widths
    total_spare = sum(spare)
    return [
        max(n, w) if n >= w else w - short * (room / total_spare)
        for n, w, room in zip(need, widths, spare, strict=True)
    ]


def grid(rows, col_widths, styles, repeat=1):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    head = [[para(text, styles["head"]) for text in rows[0]]]
    body = [[para(str(cell), styles["cell"]) for cell in row] for row in rows[1:]]
    widths = fit_words(rows[0], col_widths, styles["head"])
    table = Table(head + body, colWidths=widths, repeatRows=repeat)
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    return table


def qr_code(value: str, size: float):
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def page_size(kind: str):
    from reportlab.lib.pagesizes import A4, A5, landscape

    if kind in {"01", "02", "03", "04"}:
        return A5
    if kind == "06":
        return landscape(A4)
    return A4
