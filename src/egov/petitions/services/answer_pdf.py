"""The answer as a PDF signed by the answering organisation (egov.core.signing.sign_pdf, PAdES
B-B with the organisation's certificate): always in Vietnamese (an official document), in DejaVu
Sans like the one-stop forms. The submitter's name is printed only with their consent to
publication: the same file is what the public list will show."""

from __future__ import annotations

import io

from django.utils import timezone

from egov.core.signing import sign_pdf
from egov.dossiers.printed.layout import font_dir, make_styles, para, register_fonts


def render_answer(petition, organisation, text: str, *, at=None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    at = timezone.localtime(at or timezone.now())
    register_fonts(str(font_dir()))
    styles = make_styles(11)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Trả lời phản ánh, kiến nghị {petition.code}",
        author=organisation.name,
        subject=petition.code,
        creator="egov",
        lang="vi-VN",
    )
    story = [
        para(organisation.name.upper(), styles["head_center_bold"]),
        para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["head_center_bold"]),
        para("Độc lập - Tự do - Hạnh phúc", styles["head_center"]),
        Spacer(1, 4 * mm),
        para(f"Ngày {at:%d} tháng {at:%m} năm {at:%Y}", styles["right"]),
        para("TRẢ LỜI PHẢN ÁNH, KIẾN NGHỊ", styles["title"]),
        para(f"Mã phản ánh, kiến nghị: {petition.code}", styles["body"]),
        para(f"Nội dung: {petition.title}", styles["body"]),
    ]
    if petition.publish_name:
        story.append(para(f"Người gửi: {petition.submitter_name}", styles["body"]))
    story += [Spacer(1, 4 * mm), para(text, styles["body"]), Spacer(1, 8 * mm)]
    story.append(para(organisation.name, styles["center_bold"]))
    doc.build(story)
    return sign_pdf(
        buf.getvalue(),
        organisation,
        reason=f"Trả lời phản ánh, kiến nghị {petition.code}",
        location=getattr(organisation, "place", None) or None,
    )
