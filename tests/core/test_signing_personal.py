"""A person's PDF signature through the signing service, checked by pyHanko's validator against
the CA and by poppler's pdfsig; bad files and wrong keys are refused with a sentence."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core.services.organisations import OrganisationData, create_organisation
from egov.core.signing import sign_pdf, signer, verify_pdf
from egov.core.signing.people import Holder
from egov.core.signing.personal import SigningInputError, appearance_lines, sign_pdf_as

from .signing_support import (  # noqa: F401
    assert_pdfsig_shows,
    assert_valid_by_pyhanko,
    shared_pki,
    shared_pki_dir,
)

pytestmark = pytest.mark.usefixtures("shared_pki")

AN = Holder(
    "official-1",
    "Nguyễn Văn An",
    "000.00.00.G22",
    "Văn phòng Chính phủ",
    "Phó Chánh Văn phòng",
)
BINH = Holder("official-2", "Trần Thị Bình", "000.00.00.G22", "Văn phòng Chính phủ")


def page_pdf(text: str = "Quyet dinh") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buf.getvalue()


def test_signed_as_the_official_validates_against_the_ca_and_in_pdfsig(tmp_path):
    signed = sign_pdf_as(page_pdf(), AN, reason="Phê duyệt")
    assert_valid_by_pyhanko(signed, signer_cn="Nguyễn Văn An")
    assert_pdfsig_shows(signed, tmp_path, "Nguyễn Văn An")
    check = verify_pdf(signed)
    assert check.valid and check.signer_code == "000.00.00.G22"
    assert "UID=official-1" in check.signer_subject


def test_the_visible_signature_names_signer_title_organisation_and_time():
    signed = sign_pdf_as(page_pdf(), AN)
    reader = PdfFileReader(io.BytesIO(signed))
    (sig,) = reader.embedded_signatures
    widget = sig.sig_field
    x1, y1, x2, y2 = [float(v) for v in widget["/Rect"]]
    assert x2 - x1 > 100 and y2 - y1 > 30  # visible, not a zero-size field
    assert "/AP" in widget
    lines = appearance_lines(AN, sig.self_reported_timestamp)
    assert lines[0] == "Ký bởi: Nguyễn Văn An"
    assert lines[1:3] == ["Chức vụ: Phó Chánh Văn phòng", "Cơ quan: Văn phòng Chính phủ"]
    assert lines[3].startswith("Thời gian ký: ") and lines[3].endswith("(GMT+7)")


def test_the_appearance_text_is_in_the_pdf(tmp_path):
    """poppler's pdftotext reads the appearance's words (drawn in DejaVu Sans, embedded)."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed (Debian package poppler-utils)")
    signed = sign_pdf_as(page_pdf(), AN)
    path = tmp_path / "s.pdf"
    path.write_bytes(signed)
    # Annotations are not page text for pdftotext: flatten by rendering through pdftocairo.
    flat = tmp_path / "flat.pdf"
    subprocess.run(["pdftocairo", "-pdf", str(path), str(flat)], check=True)
    text = subprocess.run(
        ["pdftotext", str(flat), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ký bởi: Nguyễn Văn An" in text and "Cơ quan: Văn phòng Chính phủ" in text


def test_a_seal_then_a_personal_signature_both_validate(db, tmp_path):
    org = create_organisation(
        OrganisationData(code="000.00.00.G22", name="Văn phòng Chính phủ", level="central")
    )
    sealed = sign_pdf(page_pdf(), org, field_name="Seal")
    signed = sign_pdf_as(sealed, AN)
    assert_valid_by_pyhanko(signed, signer_cn="Nguyễn Văn An")
    out = assert_pdfsig_shows(signed, tmp_path, "Nguyễn Văn An")
    assert "Common Name: Văn phòng Chính phủ" in out


def encrypted_pdf() -> bytes:
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(page_pdf())))
    writer.security_handler = StandardSecurityHandler.build_from_pw("secret")
    writer._assign_security_handler(writer.security_handler)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data, words",
    [
        (b"GIF89a not a pdf", "không phải là PDF"),
        (b"%PDF-1.7\n garbage without any structure", "Không đọc được"),
        (None, "mã hóa"),
    ],
    ids=["not-a-pdf", "damaged", "encrypted"],
)
def test_a_file_that_cannot_be_signed_is_refused_with_a_sentence(data, words):
    data = encrypted_pdf() if data is None else data
    with pytest.raises(SigningInputError) as caught:
        sign_pdf_as(data, AN)
    assert words in caught.value.message


class Impostor(signer.DevelopmentSigner):
    """A service that signs with another person's key while claiming the holder's."""

    def sign_digest(self, request):
        theirs = self.credential(BINH)
        forged = signer.DigestRequest(
            BINH, theirs.key_id, theirs.fingerprint, request.digest, request.digest_algorithm
        )
        answer = super().sign_digest(forged)
        return signer.DigestSignature(answer.signature, request_certificate(request))


def request_certificate(request):
    return signer.DevelopmentSigner().credential(request.holder).certificate


def test_a_signature_by_a_key_that_is_not_the_officials_is_refused():
    with pytest.raises(signer.SigningRefused):
        sign_pdf_as(page_pdf(), AN, service=Impostor())


class Unreachable(signer.DevelopmentSigner):
    def sign_digest(self, request):
        raise TimeoutError("provider timed out")


def test_a_service_that_does_not_answer_is_a_sentence_not_a_crash():
    with pytest.raises(signer.SigningError) as caught:
        sign_pdf_as(page_pdf(), AN, service=Unreachable())
    assert "không phản hồi" in caught.value.message
