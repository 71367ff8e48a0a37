"""Signing: the PKI (a CA and a certificate per organisation), PDF (PAdES) and XML (XMLDSig).

    from egov.core.signing import sign_pdf, verify_pdf, sign_xml, verify_xml

Officials' personal signatures: ``people`` (their certificates), ``signer`` (the signing service's
interface and the development signer), ``personal`` (``sign_pdf_as``); docs/signing.md.

Everything reads ``settings.EGOV_PKI_DIR`` and ``settings.EGOV_PKI_AUTO_CREATE`` at call time.
"""

from egov.core.signing.pdf import PdfSignatureCheck, PdfVerification, sign_pdf, verify_pdf
from egov.core.signing.pki import (
    OrgCertificate,
    PkiError,
    PkiFileMissing,
    PkiReport,
    certificate_for,
    ensure_ca,
    ensure_pki,
    trust_roots,
)
from egov.core.signing.xml import XmlVerification, sign_xml, verify_xml

__all__ = [
    "OrgCertificate",
    "PdfSignatureCheck",
    "PdfVerification",
    "PkiError",
    "PkiFileMissing",
    "PkiReport",
    "XmlVerification",
    "certificate_for",
    "ensure_ca",
    "ensure_pki",
    "sign_pdf",
    "sign_xml",
    "trust_roots",
    "verify_pdf",
    "verify_xml",
]
