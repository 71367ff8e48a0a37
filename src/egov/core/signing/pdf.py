"""PDF signatures with pyHanko: PAdES baseline (B-B), signed with an organisation's certificate.

Both functions are synchronous (pyHanko's wrappers run their own event loop): call them from
sync code, a task or a thread, not from inside a running event loop.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from egov.core.signing import pki

logger = logging.getLogger(__name__)


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _Signer(signers.SimpleSigner):
    """pyHanko's SimpleSigner, signing with the key already loaded: SimpleSigner.sign_raw parses
    the key from DER again at every signature, and cryptography checks an RSA key when it loads
    it (~35-65 ms for RSA-2048, more than the rest of a form's signing). The same PKCS#1 v1.5
    signature (deterministic), so the same bytes."""

    def __init__(self, *, key, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._key, RSAPrivateKey) and mechanism.signature_algo == "rsassa_pkcs1v15":
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _signer(cred: pki.OrgCertificate) -> signers.SimpleSigner:
    der_key = cred.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _Signer(
        key=cred.private_key,
        signing_cert=_asn1_cert(cred.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        # Intermediates are embedded in the CMS so a verifier holding only the root can build
        # the path; the root itself is not (the verifier must have it already).
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in cred.chain]),
    )


def sign_pdf(
    pdf_bytes: bytes,
    org: pki.OrganisationLike,
    *,
    reason: str | None = None,
    location: str | None = None,
    field_name: str = "Signature1",
) -> bytes:
    """Sign ``pdf_bytes`` as ``org`` (PAdES B-B, SHA-256) and return the signed document.

    The signature is appended as an incremental update in a new invisible field
    ``field_name``; an existing empty field of that name is used if present.
    """
    cred = pki.certificate_for(org)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    out = signers.sign_pdf(writer, meta, signer=_signer(cred))
    logger.debug("Signed PDF as %s in field %s", cred.code, field_name)
    return out.getvalue()


@dataclass(frozen=True)
class PdfSignatureCheck:
    """The verdict on one signature of a PDF."""

    field_name: str
    # valid: intact, cryptographically sound, trusted, and no disallowed changes after signing.
    valid: bool
    # intact: the signed bytes hash to what the signature says.
    intact: bool
    # trusted: the signer's certificate chains up to a certificate in our ca.pem.
    trusted: bool
    signer_subject: str
    signer_code: str | None
    signing_time: dt.datetime | None
    # Whether the signature covers the whole file (False: later revisions were appended).
    covers_whole_file: bool
    summary: str


@dataclass(frozen=True)
class PdfVerification:
    """Result of :func:`verify_pdf`: a verdict per signature, and the overall one."""

    signatures: tuple[PdfSignatureCheck, ...]
    error: str | None = None

    @property
    def valid(self) -> bool:
        return bool(self.signatures) and all(s.valid for s in self.signatures)

    @property
    def intact(self) -> bool:
        return bool(self.signatures) and all(s.intact for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return bool(self.signatures) and all(s.trusted for s in self.signatures)

    @property
    def signer_subject(self) -> str | None:
        """Subject of the latest signature's certificate."""
        return self.signatures[-1].signer_subject if self.signatures else None

    @property
    def signer_code(self) -> str | None:
        return self.signatures[-1].signer_code if self.signatures else None


def validation_context() -> ValidationContext:
    """Our CA as the only trust root; no fetching of revocation information."""
    return ValidationContext(
        trust_roots=[_asn1_cert(c) for c in pki.trust_roots()],
        allow_fetching=False,
    )


def verify_pdf(pdf_bytes: bytes) -> PdfVerification:
    """Check every signature in ``pdf_bytes`` against our CA. Never raises for a bad file."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes))
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        return PdfVerification(signatures=(), error=f"unreadable PDF: {exc}")
    if not embedded:
        return PdfVerification(signatures=(), error="no signature")
    checks = []
    for sig in embedded:
        try:
            # A context per signature: it caches validation paths.
            status = validate_pdf_signature(sig, signer_validation_context=validation_context())
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            return PdfVerification(
                signatures=tuple(checks), error=f"{sig.field_name}: cannot be validated: {exc}"
            )
        cert = x509.load_der_x509_certificate(status.signing_cert.dump())
        checks.append(
            PdfSignatureCheck(
                field_name=sig.field_name,
                valid=bool(status.bottom_line),
                intact=bool(status.intact),
                trusted=bool(status.trusted),
                signer_subject=pki.subject_text(cert),
                signer_code=pki.org_code_of(cert),
                signing_time=status.signer_reported_dt,
                covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                summary=status.summary(),
            )
        )
    return PdfVerification(signatures=tuple(checks))
