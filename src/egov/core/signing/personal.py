"""A person's PDF signature (PAdES B-B, SHA-256) made through the signing service.

    from egov.core.signing.personal import sign_pdf_as, check_pdf_input
    signed = sign_pdf_as(pdf_bytes, holder, reason="Phê duyệt kết quả")

pyHanko builds the CMS signed attributes; :class:`ServiceSigner` (a pyHanko ``Signer`` with an
async ``sign_raw``) sends their digest to the configured :class:`~egov.core.signing.signer.
SigningService` and puts the signature that comes back, with its certificate and chain, into the
PDF. The answer is checked before use (the holder's certificate, a signature that verifies).

A visible signature (name, title, organisation, time, in Vietnamese, in DejaVu Sans: see
:func:`appearance_pdf`) is drawn on
the last page, bottom right, unless another box is given. Synchronous, like
egov.core.signing.pdf: call it from sync code, never inside a running event loop.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.core.signing import signer as service_api
from egov.core.signing.people import Holder

logger = logging.getLogger(__name__)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The visible signature's box (points): wide enough for a long organisation name on two lines.
STAMP_WIDTH, STAMP_HEIGHT, STAMP_MARGIN = 250, 60, 36
MAX_PDF = 20 * 1024 * 1024


class SigningInputError(service_api.SigningError):
    """The file cannot be signed (not a PDF, encrypted, unreadable); the message says why."""


@dataclass(frozen=True)
class PdfInput:
    pages: int
    # (width, height) of the last page, for the visible signature's place.
    last_page_size: tuple[float, float]


def check_pdf_input(data: bytes) -> PdfInput:
    """A PDF we can sign: readable, not encrypted, at most 20 MB; SigningInputError otherwise."""
    if len(data) > MAX_PDF:
        raise SigningInputError(_("The file is larger than 20 MB."))
    if not data.startswith(b"%PDF-"):
        raise SigningInputError(_("The file is not a PDF."))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise SigningInputError(
                _("The PDF is encrypted or password-protected: it cannot be signed.")
            )
        pages = int(reader.root["/Pages"]["/Count"])
        page = reader.find_page_for_modification(pages - 1)[0].get_object()
        box = [float(v) for v in _inherited(page, "/MediaBox")]
    except SigningInputError:
        raise
    except Exception:  # a damaged file: pyHanko raises many kinds of errors on bad input
        raise SigningInputError(_("The PDF cannot be read: it is damaged or not a PDF.")) from None
    if pages < 1:
        raise SigningInputError(_("The PDF has no page."))
    return PdfInput(pages=pages, last_page_size=(box[2] - box[0], box[3] - box[1]))


def _inherited(page, key):
    node = page
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return [0, 0, 595, 842]


def _asn1(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(service_api.certificate_der(cert))


class ServiceSigner(signers.Signer):
    """pyHanko's Signer whose raw signature comes from the signing service."""

    def __init__(
        self,
        holder: Holder,
        credential: service_api.Credential,
        service: service_api.SigningService,
        *,
        description: str = "",
    ):
        super().__init__(
            signing_cert=_asn1(credential.certificate),
            cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in credential.chain]),
            # The root is not embedded: the verifier must hold it already.
            embed_roots=False,
        )
        self.holder = holder
        self.credential = credential
        self.service = service
        self.description = description

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        size = self.credential.certificate.public_key().key_size // 8
        if dry_run:
            return bytes(size)  # pyHanko's estimate of the space to reserve
        request = service_api.DigestRequest(
            holder=self.holder,
            key_id=self.credential.key_id,
            certificate_sha256=self.credential.fingerprint,
            digest=service_api.digest(data, digest_algorithm),
            digest_algorithm=digest_algorithm,
            description=self.description,
        )
        answer = self.service.sign_digest(request)
        service_api.check_answer(request, answer)
        return answer.signature


def appearance_lines(holder: Holder, when: dt.datetime) -> list[str]:
    """The visible signature's lines, in Vietnamese (an official document's wording)."""
    local = when.astimezone(VN)
    lines = [f"Ký bởi: {holder.full_name}"]
    if holder.title:
        lines.append(f"Chức vụ: {holder.title}")
    lines.append(f"Cơ quan: {holder.organisation_name}")
    lines.append(f"Thời gian ký: {local:%d/%m/%Y %H:%M:%S} (GMT+7)")
    return lines


@lru_cache(maxsize=1)
def _register_font(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("EgovStampFont", path))
    return "EgovStampFont"


def appearance_pdf(lines: list[str], width: float, height: float) -> bytes:
    """The visible signature as a one-page PDF of the box's size, drawn by reportlab in DejaVu
    Sans (embedded subset: every Vietnamese letter shows; pyHanko's own text stamps would need
    HarfBuzz for that). Long lines are wrapped to the box."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    font_path = Path(settings.EGOV_PDF_FONT_DIR) / "DejaVuSans.ttf"
    if not font_path.exists():
        raise service_api.SigningError(
            _("The font for the visible signature is missing on the server.")
        )
    font = _register_font(str(font_path))
    size, pad = 8, 5
    wrapped = [part for line in lines for part in simpleSplit(line, font, size, width - 2 * pad)]
    while len(wrapped) * size * 1.25 > height - 2 * pad and size > 5:
        size -= 0.5
        wrapped = [p for line in lines for p in simpleSplit(line, font, size, width - 2 * pad)]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setStrokeColor(HexColor("#b00000"))
    c.setLineWidth(1)
    c.rect(0.5, 0.5, width - 1, height - 1)
    c.setFillColor(HexColor("#b00000"))
    c.setFont(font, size)
    y = height - pad - size
    for line in wrapped:
        c.drawString(pad, y, line)
        y -= size * 1.25
    c.showPage()
    c.save()
    return buf.getvalue()


class _PdfPage(PdfContent):
    """pyHanko's ImportedPdfPage, from bytes in memory rather than a file name."""

    def __init__(self, data: bytes):
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        reader = PdfFileReader(io.BytesIO(self.data))
        xobj = self._ensure_writer.import_page_as_xobject(reader, page_ix=0)
        self.resources.xobject["/SigAppearance"] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return b"/SigAppearance Do"


def _stamp_style(holder: Holder, when: dt.datetime, box) -> StaticStampStyle:
    width, height = box[2] - box[0], box[3] - box[1]
    page = _PdfPage(appearance_pdf(appearance_lines(holder, when), width, height))
    return StaticStampStyle(background=page, border_width=0, background_opacity=1)


def sign_pdf_as(
    pdf_bytes: bytes,
    holder: Holder,
    *,
    reason: str = "",
    location: str = "",
    field_name: str = "",
    box: tuple[float, float, float, float] | None = None,
    service: service_api.SigningService | None = None,
) -> bytes:
    """Sign ``pdf_bytes`` as ``holder`` through the signing service, with a visible signature
    on the last page (``box`` in points, else bottom right). SigningInputError for a file that
    cannot be signed; SigningRefused / SigningError from the service."""
    info = check_pdf_input(pdf_bytes)
    service = service or service_api.signing_service()
    credential = service.credential(holder)
    when = dt.datetime.now(dt.UTC)
    if box is None:
        width, _height = info.last_page_size
        x2 = width - STAMP_MARGIN
        box = (x2 - STAMP_WIDTH, STAMP_MARGIN, x2, STAMP_MARGIN + STAMP_HEIGHT)
    name = field_name or f"Sig-{holder.id}-{when:%Y%m%d%H%M%S}"
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=holder.full_name,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=ServiceSigner(holder, credential, service, description=reason),
        stamp_style=_stamp_style(holder, when, box),
        new_field_spec=fields.SigFieldSpec(sig_field_name=name, on_page=-1, box=box),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        out = pdf_signer.sign_pdf(writer)
    except service_api.SigningError:
        raise
    except OSError:  # a remote service's connection or timeout: say so, do not fail with a 500
        logger.exception("The signing service failed for %s", holder.id)
        raise service_api.SigningError(
            _("The signing service did not answer. Try again in a moment.")
        ) from None
    except (PdfError, ValueError, KeyError, TypeError):
        logger.exception("Could not sign a PDF for %s", holder.id)
        raise SigningInputError(
            _("The PDF cannot be signed: its structure is not supported.")
        ) from None
    logger.info("Signed a PDF as %s in field %s", holder.id, name)
    return out.getvalue()
