"""The simple result template: a one-page A4 decision (the national header, the result's name and
number, the decision text, the dossier code, the applicant, the procedure) left unsigned, with
room at the bottom right for the approver's visible signature (egov.core.signing.personal draws
it there when the approver signs).

    pdf = render_result(dossier, name="Giấy xác nhận ...", number="12/GXN", decision="...")

Always in Vietnamese, like the one-stop forms: it is an official document.
"""

from __future__ import annotations

import io

from django.utils import timezone

from .content import from_dossier
from .layout import esc, font_dir, header, make_styles, para, para_markup, register_fonts
from .pdf import applicant_lines, procedure_line

# The visible signature's box on the page (points, A4): bottom right, clear of the text, which
# stops above it (the template's bottom margin).
SIGNATURE_BOX = (310.0, 60.0, 560.0, 125.0)
BOTTOM_MARGIN = 150


def render_result(dossier, *, name: str, number: str = "", decision: str) -> bytes:
    """The result document of ``dossier`` as unsigned PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    data = from_dossier(dossier)
    register_fonts(str(font_dir()))
    styles = make_styles(11)
    margin = 18 * mm
    width = A4[0] - 2 * margin
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=BOTTOM_MARGIN,
        title=name,
        author=data.organisation.name,
        subject=data.code,
        creator="egov",
        lang="vi-VN",
    )
    story = header(data.organisation, "", styles, width, timezone.now(), number=number)[1:]
    story += [Spacer(1, 10), para(name.upper(), styles["title"])]
    story.append(para_markup(f"Mã hồ sơ: <b>{esc(data.code)}</b>", styles["center"]))
    story.append(Spacer(1, 8))
    story.append(para("Cấp cho:", styles["body"]))
    story += applicant_lines(data, styles)
    story.append(procedure_line(data, styles))
    story.append(Spacer(1, 8))
    story.append(para_markup("<b>Nội dung:</b>", styles["body"]))
    for line in decision.splitlines():
        story.append(para(line, styles["body"]) if line.strip() else Spacer(1, 6))
    doc.build(story)
    return buf.getvalue()
