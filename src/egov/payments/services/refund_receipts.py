"""A refund's own e-receipt (chứng từ hoàn trả): as a payment's receipts, a number drawn gap-free
per agency and serial (serial ``HT/<yy>E``, drawn in services.refunds when the gateway accepts),
the amount in words, the payer, the collecting agency, and a one-page PDF sealed with the agency's
certificate (PAdES, validates with pyHanko).

The number and the words are fixed in the transaction that records the gateway's answer; the PDF
is drawn after commit by the worker (render_refund_receipt) or at the first download, as payment
receipts are: sealing takes ~0.2 s and must not hold the refund's row lock.
"""

from __future__ import annotations

import io

from django.db import transaction
from django_tasks import task

from egov.core.signing.pdf import sign_pdf
from egov.dossiers.printed.layout import FONT, FONT_BOLD, font_dir, register_fonts
from egov.payments.gateways import VIETNAM
from egov.payments.models import Refund, RefundStatus

from .receipts import TEMPLATE_SYMBOL

TITLE = "CHỨNG TỪ HOÀN TRẢ PHÍ, LỆ PHÍ"


def enqueue_after_commit(refund_id: int) -> None:
    transaction.on_commit(lambda: render_refund_receipt.enqueue(refund_id))


@task()
def render_refund_receipt(refund_id: int) -> bool:
    return ensure_pdf(refund_id)


def ensure_pdf(refund_id: int) -> bool:
    """Draw and seal the refund's receipt once (the row is locked while it is drawn); False when
    it already has one or the refund is not done (no number yet)."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment__dossier__organisation", "approved_by")
            .get(pk=refund_id)
        )
        if refund.pdf or refund.status != RefundStatus.DONE or refund.number is None:
            return False
        refund.pdf = render(refund)
        refund.save(update_fields=["pdf"])
    return True


def file_name(refund: Refund) -> str:
    return f"hoan-tra-{refund.serial.replace('/', '-')}-{refund.number:07d}.pdf"


def render(refund: Refund) -> bytes:
    """The refund's receipt as a one-page A5 PDF, signed as the collecting agency."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    payment = refund.payment
    dossier = payment.dossier
    agency = dossier.organisation
    register_fonts(str(font_dir()))
    buffer = io.BytesIO()
    width, height = A5
    c = canvas.Canvas(buffer, pagesize=A5, pageCompression=1)
    number = f"{refund.serial} {refund.number:07d}"
    c.setTitle(f"{TITLE} {number}")
    y = height - 40
    c.setFont(FONT_BOLD, 10)
    c.drawString(30, y, agency.name[:70])
    c.setFont(FONT, 8)
    c.drawRightString(width - 30, y, f"Mẫu số: {TEMPLATE_SYMBOL}")
    c.drawRightString(width - 30, y - 12, f"Ký hiệu: {refund.serial}")
    c.drawRightString(width - 30, y - 24, f"Số: {refund.number:07d}")
    y -= 60
    c.setFont(FONT_BOLD, 13)
    c.drawCentredString(width / 2, y, TITLE)
    done = refund.done_at.astimezone(VIETNAM)
    c.setFont(FONT, 8)
    c.drawCentredString(
        width / 2, y - 14, f"(Chứng từ điện tử) Ngày {done:%d} tháng {done:%m} năm {done:%Y}"
    )
    y -= 44
    lines = [
        ("Đơn vị hoàn trả", agency.name),
        ("Người nhận", payment.payer_name),
        ("Hồ sơ", dossier.code),
        ("Khoản đã nộp", f"{payment.reference} ({payment.get_method_display()})"),
        ("Mã giao dịch", payment.gateway_transaction),
        ("Đã nộp", f"{payment.amount_vnd:,} đồng".replace(",", ".")),
        ("Số tiền hoàn trả", f"{refund.amount_vnd:,} đồng".replace(",", ".")),
        ("Bằng chữ", refund.amount_words),
        ("Lý do", refund.reason),
    ]
    for label, value in lines:
        c.setFont(FONT_BOLD, 9)
        c.drawString(30, y, f"{label}:")
        c.setFont(FONT, 9)
        c.drawString(140, y, str(value)[:60])
        y -= 16
    c.setFont(FONT, 8)
    c.drawString(30, 40, "Chứng từ được ký số bởi đơn vị thu.")
    c.showPage()
    c.save()
    return sign_pdf(
        buffer.getvalue(),
        agency,
        reason=f"{TITLE} {number}",
        location=getattr(agency, "place", None) or None,
    )
