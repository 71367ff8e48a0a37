"""The signing service: how a person's signature is made, behind one interface.

A remote-signing provider (ký số từ xa) or a USB-token bridge implements
:class:`SigningService`; the platform never sees a personal private key. Two calls:

- :meth:`SigningService.credential` gives the holder's signing certificate and the chain up to
  the trust root (what goes into the signature and the visible appearance);
- :meth:`SigningService.sign_digest` signs a digest: a :class:`DigestRequest` (who, with which
  certificate, the digest and its algorithm, what is being signed) goes out, a
  :class:`DigestSignature` (the PKCS#1 v1.5 signature over the DigestInfo, with the certificate
  and chain that made it) comes back. For a PDF the digest is that of the CMS signed attributes
  (egov.core.signing.personal builds them with pyHanko), so the provider signs exactly what a
  PAdES signature needs and never receives the document.

The implementation is chosen by ``settings.EGOV_SIGNING_SERVICE`` (a dotted path to a class
taking no arguments); :func:`signing_service` returns it. The development signer,
:class:`DevelopmentSigner`, keeps one key per person under ``EGOV_PKI_DIR/people`` issued by the
development CA (egov.core.signing.people). The interface is documented for integrators in
docs/signing.md.

Refusals: a request for a certificate that is not the holder's raises :class:`SigningRefused`
(any implementation must refuse it; the PDF signer checks the answer again: the certificate that
came back must be the holder's and the signature must verify with its key).
"""

from __future__ import annotations

import abc
import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from egov.core.signing import people, pki
from egov.core.signing.people import Holder

logger = logging.getLogger(__name__)

DIGESTS = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class SigningError(Exception):
    """The signature could not be made; ``message`` is for the person (Vietnamese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SigningRefused(SigningError):
    """The service refuses: the certificate or key asked for is not the holder's."""


@dataclass(frozen=True)
class Credential:
    """A holder's signing certificate, as the service knows it."""

    # How the service names the key (the provider's credential id, a token's key label).
    key_id: str
    certificate: x509.Certificate
    # Intermediates between the certificate and the trust root (not the root itself).
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


@dataclass(frozen=True)
class DigestRequest:
    holder: Holder
    # The credential to sign with (Credential.key_id) and the certificate's SHA-256 fingerprint.
    key_id: str
    certificate_sha256: str
    # The digest to sign, and its algorithm: "sha256", "sha384" or "sha512".
    digest: bytes
    digest_algorithm: str
    # What is being signed, for the person's confirmation screen (a remote provider shows it).
    description: str = ""


@dataclass(frozen=True)
class DigestSignature:
    # RSASSA-PKCS1-v1_5 over DigestInfo(digest_algorithm, digest), as in a CMS SignerInfo.
    signature: bytes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


class SigningService(abc.ABC):
    """What a remote-signing provider or a USB-token bridge implements (docs/signing.md)."""

    @abc.abstractmethod
    def credential(self, holder: Holder) -> Credential:
        """The holder's signing certificate and chain; SigningError if they have none."""

    @abc.abstractmethod
    def sign_digest(self, request: DigestRequest) -> DigestSignature:
        """Sign ``request.digest`` with the holder's key; SigningRefused if ``request.key_id``
        or the certificate is not the holder's."""


class DevelopmentSigner(SigningService):
    """Keys on disk under EGOV_PKI_DIR/people, issued by the development CA on first need."""

    @staticmethod
    def key_id_of(holder_id: str) -> str:
        return f"egov-dev:{holder_id}"

    def credential(self, holder: Holder) -> Credential:
        try:
            cred = people.certificate_for(holder)
        except pki.PkiError:
            logger.exception("No personal certificate for %s", holder.id)
            raise SigningError(_("No signing certificate is available for you.")) from None
        return Credential(self.key_id_of(holder.id), cred.certificate, cred.chain)

    def sign_digest(self, request: DigestRequest) -> DigestSignature:
        prefix = self.key_id_of("")
        holder_id = request.key_id.removeprefix(prefix) if request.key_id.startswith(prefix) else ""
        if holder_id != request.holder.id:
            # Only the holder's own key: never another person's, whatever the caller says.
            raise SigningRefused(_("This certificate is not yours: signing is refused."))
        try:
            cred = people.load(holder_id)
        except pki.PkiError:
            raise SigningError(_("No signing certificate is available for you.")) from None
        if cred.certificate.fingerprint(hashes.SHA256()).hex() != request.certificate_sha256:
            raise SigningRefused(_("This certificate is not yours: signing is refused."))
        algorithm = DIGESTS.get(request.digest_algorithm)
        if algorithm is None or len(request.digest) != algorithm.digest_size:
            raise SigningError(_("The digest to sign is not valid."))
        signature = cred.private_key.sign(
            request.digest, padding.PKCS1v15(), utils.Prehashed(algorithm())
        )
        logger.info("Signed a digest for %s (%s)", request.holder.id, request.description[:80])
        return DigestSignature(signature, cred.certificate, cred.chain)


@lru_cache(maxsize=8)
def _service(path: str) -> SigningService:
    cls = import_string(path)
    service = cls()
    if not isinstance(service, SigningService):
        raise TypeError(f"EGOV_SIGNING_SERVICE: {path} is not a SigningService")
    return service


def signing_service() -> SigningService:
    """The implementation ``settings.EGOV_SIGNING_SERVICE`` names (one instance per path)."""
    return _service(settings.EGOV_SIGNING_SERVICE)


def check_answer(request: DigestRequest, answer: DigestSignature) -> None:
    """What any service's answer must be: the holder's certificate (its UID), the one asked
    for, and a signature that verifies over the digest with that certificate's key."""
    cert = answer.certificate
    if (
        people.holder_id_of(cert) != request.holder.id
        or cert.fingerprint(hashes.SHA256()).hex() != request.certificate_sha256
    ):
        raise SigningRefused(_("This certificate is not yours: signing is refused."))
    try:
        cert.public_key().verify(
            answer.signature,
            request.digest,
            padding.PKCS1v15(),
            utils.Prehashed(DIGESTS[request.digest_algorithm]()),
        )
    except Exception:  # InvalidSignature, or a key of another type
        raise SigningRefused(
            _("The signature returned does not match your certificate: signing is refused.")
        ) from None


def digest(data: bytes, algorithm: str) -> bytes:
    return hashlib.new(algorithm, data).digest()


def certificate_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)
