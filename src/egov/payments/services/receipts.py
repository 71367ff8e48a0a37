"""E-receipts (biên lai điện tử) for a paid dossier: one for its phí and one for its lệ phí, each
with its template symbol, serial and a number drawn gap-free per agency and serial, the amount in
words, the payer and the collecting agency, as a PDF signed with the agency's seal.

The symbols follow the shape of the Ministry of Finance's receipts for fees and charges (template
symbol "01BLP0-001", serial letters and the year's two digits and "E" for electronic); the exact
symbols an agency registers with its tax office are its own: set here until the agency's
registration is recorded (see NOTES).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from num2words import num2words

from egov.catalog.models import FeeKind
from egov.core import numbering
from egov.core.signing.pdf import sign_pdf
from egov.dossiers.printed.layout import FONT, FONT_BOLD, font_dir, register_fonts
from egov.payments.gateways import VIETNAM
from egov.payments.models import Payment, PaymentReceipt, ReceiptSequence

from .fees import by_kind

TEMPLATE_SYMBOL = "01BLP0-001"
# Phí and lệ phí are receipted apart: a serial of their own each, so two gap-free sequences.
SERIAL_LETTERS = {FeeKind.FEE: "PA", FeeKind.CHARGE: "LA"}
TITLES = {FeeKind.FEE: "BIÊN LAI THU PHÍ", FeeKind.CHARGE: "BIÊN LAI THU LỆ PHÍ"}


def amount_in_words(amount_vnd: int) -> str:
    """ "Một trăm năm mươi nghìn đồng" (num2words' Vietnamese, capitalised, with the unit)."""
    words = num2words(amount_vnd, lang="vi")
    return f"{words[:1].upper()}{words[1:]} đồng"


def serial_for(kind: str, when) -> str:
    return f"{SERIAL_LETTERS[kind]}/{when.astimezone(VIETNAM):%y}E"


def issue(payment: Payment) -> list[PaymentReceipt]:
    """The receipts of a paid payment, inside its transaction (a rollback gives the numbers
    back). Called once per payment: the caller holds the payment's row lock and writes the
    audit row that names them."""
    dossier = payment.dossier
    agency = dossier.organisation
    now = timezone.now()
    amounts = sorted(by_kind(dossier).items())
    serials = [serial_for(kind, now) for kind, _amount in amounts]
    if amounts:
        _render_later(payment.pk)
    # Both numbers in one statement (the counters taken in key order: two payments of the
    # agency cannot wait on each other crosswise), both receipts in one INSERT.
    lasts = (
        numbering.draw_blocks(
            ReceiptSequence, ["organisation", "serial"], {(agency.pk, s): 1 for s in serials}
        )
        if serials
        else {}
    )
    issued = [
        PaymentReceipt(
            payment=payment,
            dossier=dossier,
            kind=kind,
            agency=agency,
            template_symbol=TEMPLATE_SYMBOL,
            serial=serial,
            number=lasts[(agency.pk, serial)],
            amount_vnd=amount,
            amount_words=amount_in_words(amount),
            payer_name=payment.payer_name,
            issued_at=now,
            pdf=b"",  # drawn and sealed after the commit: see _render_later
        )
        for (kind, amount), serial in zip(amounts, serials, strict=True)
    ]
    PaymentReceipt.objects.bulk_create(issued)
    return issued


def _render_later(payment_id: int) -> None:
    """Rendering and sealing a PDF takes ~0.2 s: not inside the callback's transaction (the
    gateway waits for its answer, and the dossier's row is locked). The number, amount and payer
    are fixed here; the worker draws the document, and a download draws it if the worker has not
    yet (ensure_pdf). On the database queue the task's row is written in this transaction: it
    commits with the receipts (it cannot be lost between the commit and the enqueue) and costs no
    commit of its own; another queue is told after the commit (its worker could run the task
    before the receipts are visible)."""
    if settings.EGOV_TASKS == "db":
        render_receipts.enqueue(payment_id)
    else:
        transaction.on_commit(lambda: _enqueue(payment_id))


def _enqueue(payment_id: int) -> None:
    render_receipts.enqueue(payment_id)


@task()
def render_receipts(payment_id: int) -> int:
    """The worker's task (queued with the callback's receipts): see render_missing."""
    return render_missing(payment_id)


def render_missing(payment_id: int) -> int:
    """Draw and seal the receipts of a payment that have no PDF yet; safe to run twice."""
    done = 0
    for receipt in PaymentReceipt.objects.filter(payment_id=payment_id).values_list(
        "pk", flat=True
    ):
        done += ensure_pdf(receipt)
    return done


def ensure_pdf(receipt_id: int) -> bool:
    """The receipt's signed PDF, drawn once (the row is locked while it is drawn)."""
    with transaction.atomic():
        receipt = (
            PaymentReceipt.objects.select_for_update(of=("self",))
            .select_related("payment", "agency", "dossier")
            .get(pk=receipt_id)
        )
        if receipt.pdf:
            return False
        receipt.pdf = render(receipt, receipt.payment)
        receipt.save(update_fields=["pdf"])
    return True


def render(receipt: PaymentReceipt, payment: Payment) -> bytes:
    """The receipt as a one-page A5 PDF, signed as the collecting agency (PAdES)."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    register_fonts(str(font_dir()))
    buffer = io.BytesIO()
    width, height = A5
    c = canvas.Canvas(buffer, pagesize=A5, pageCompression=1)
    c.setTitle(f"{TITLES[receipt.kind]} {receipt.serial} {receipt.number:07d}")
    y = height - 40
    c.setFont(FONT_BOLD, 10)
    c.drawString(30, y, receipt.agency.name[:70])
    c.setFont(FONT, 8)
    c.drawRightString(width - 30, y, f"Mẫu số: {receipt.template_symbol}")
    c.drawRightString(width - 30, y - 12, f"Ký hiệu: {receipt.serial}")
    c.drawRightString(width - 30, y - 24, f"Số: {receipt.number:07d}")
    y -= 60
    c.setFont(FONT_BOLD, 13)
    c.drawCentredString(width / 2, y, TITLES[receipt.kind])
    c.setFont(FONT, 8)
    issued = receipt.issued_at.astimezone(VIETNAM)
    c.drawCentredString(
        width / 2, y - 14, f"(Biên lai điện tử) Ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}"
    )
    y -= 44
    lines = [
        ("Tên đơn vị thu", receipt.agency.name),
        ("Người nộp", receipt.payer_name),
        ("Hồ sơ", receipt.dossier.code),
        ("Hình thức thanh toán", payment.get_method_display()),
        ("Mã giao dịch", payment.gateway_transaction or payment.desk_receipt_number),
        ("Số tiền", f"{receipt.amount_vnd:,} đồng".replace(",", ".")),
        ("Bằng chữ", receipt.amount_words),
    ]
    for label, value in lines:
        c.setFont(FONT_BOLD, 9)
        c.drawString(30, y, f"{label}:")
        c.setFont(FONT, 9)
        c.drawString(140, y, str(value)[:60])
        y -= 16
    y -= 10
    c.setFont(FONT_BOLD, 9)
    c.drawString(30, y, "Khoản thu")
    c.drawRightString(width - 30, y, "Số tiền (đồng)")
    c.setFont(FONT, 9)
    for item in receipt.dossier.fee_items.filter(kind=receipt.kind):
        if not item.due_vnd:
            continue
        y -= 14
        c.drawString(30, y, item.name[:60])
        c.drawRightString(width - 30, y, f"{item.due_vnd:,}".replace(",", "."))
    c.setFont(FONT, 8)
    c.drawString(30, 40, "Biên lai được ký số bởi đơn vị thu.")
    c.showPage()
    c.save()
    return sign_pdf(
        buffer.getvalue(),
        receipt.agency,
        reason=f"{TITLES[receipt.kind]} {receipt.serial} {receipt.number:07d}",
        location=getattr(receipt.agency, "place", None) or None,
    )
