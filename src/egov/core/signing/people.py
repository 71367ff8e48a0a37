"""Personal signing certificates: one per official, issued by the development CA on first need.

An organisation's seal certificate (egov.core.signing.pki) signs the forms; an official signs
results and outgoing documents with a certificate of their own. The development signer
(egov.core.signing.signer.DevelopmentSigner) keeps these keys in ``settings.EGOV_PKI_DIR``::

    people/<holder id>.key.pem    the official's private key (0600)
    people/<holder id>.pem        their certificate

Subject: C=VN, O=<organisation's name>, organizationIdentifier=<organisation's code>,
CN=<full name>, UID=<holder id> (the key is the holder's: the signer checks it). A certificate
whose subject no longer matches (a new name, another organisation) or that the present CA did not
issue is replaced on the next signature. Issuing is race-safe as the organisations' is: the key is
made outside the lock, the files are written under the PKI's lock, key first.

Core knows nothing of officials: callers describe the holder with a :class:`Holder`
(egov.accounts builds it from an Official).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from egov.core.signing import pki

logger = logging.getLogger(__name__)

# A holder id becomes a file name: letters, digits, '-' and '_' only.
HOLDER_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Holder:
    """Who signs: the person a personal certificate is issued to."""

    # Stable and unique, e.g. "official-42"; names the key (and is the certificate's UID).
    id: str
    full_name: str
    organisation_code: str
    organisation_name: str
    # Shown in the visible signature; not in the certificate (it changes more often).
    title: str = ""

    def __post_init__(self):
        if not HOLDER_ID_RE.match(self.id or ""):
            raise pki.PkiError(f"Not a holder id: {self.id!r}")
        if not pki.CODE_RE.match(self.organisation_code or ""):
            raise pki.PkiError(f"Not an organisation code: {self.organisation_code!r}")


@dataclass(frozen=True)
class PersonalCertificate:
    holder_id: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    cert_path: Path
    key_path: Path
    private_key: rsa.RSAPrivateKey = field(repr=False, compare=False)


def paths(holder_id: str) -> tuple[Path, Path]:
    """(key, certificate) of a holder."""
    if not HOLDER_ID_RE.match(holder_id or ""):
        raise pki.PkiError(f"Not a holder id: {holder_id!r}")
    base = pki.pki_dir() / "people"
    return base / f"{holder_id}.key.pem", base / f"{holder_id}.pem"


def subject(holder: Holder) -> x509.Name:
    name = " ".join(holder.full_name.split()) or holder.id
    org = " ".join(holder.organisation_name.split()) or holder.organisation_code
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, pki._fit(org, pki.NAME_MAX)),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, holder.organisation_code),
            x509.NameAttribute(NameOID.COMMON_NAME, pki._fit(name, pki.NAME_MAX, pki._utf8_len)),
            x509.NameAttribute(NameOID.USER_ID, holder.id),
        ]
    )


def holder_id_of(cert: x509.Certificate) -> str | None:
    """The holder id a personal certificate was issued to (its UID); None for a seal."""
    attrs = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    return str(attrs[0].value) if attrs else None


def common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else ""


def _issue(holder: Holder, key: rsa.RSAPrivateKey) -> None:
    ca, ca_key = pki._ca_signing_material()
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject(holder))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - pki.BACKDATE)
        .not_valid_after(min(now + pki.CERT_VALIDITY, ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation: a person's signature on a document
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_path, cert_path = paths(holder.id)
    # Key first: the certificate is the marker that the pair is complete.
    pki._write_key(key_path, key)
    pki._write_cert(cert_path, cert)
    logger.info("Issued personal certificate for %s (serial %x)", holder.id, cert.serial_number)


def _has_usable(holder: Holder, ca: x509.Certificate) -> bool:
    key_path, cert_path = paths(holder.id)
    if not (key_path.exists() and cert_path.exists()):
        return False
    if not pki.ca_key_path().exists():
        return True  # the operator's files: never replaced by us
    cert = pki._certs(cert_path, "personal certificate")[0]
    return cert.subject == subject(holder) and pki._usable(cert, ca)


def ensure(holder: Holder) -> bool:
    """Auto mode: make sure the holder has a current certificate; True if one was issued now."""
    ca = pki.ensure_ca()
    if _has_usable(holder, ca):
        return False
    key = pki._new_key()  # slow: outside the lock
    with pki._creation_lock():
        if _has_usable(holder, pki.ensure_ca()):
            return False  # another process issued it while we waited
        _issue(holder, key)
        return True


def load(holder_id: str) -> PersonalCertificate:
    """The holder's certificate and key as they are on disk (nothing is created)."""
    key_path, cert_path = paths(holder_id)
    cert = pki._certs(cert_path, f"personal certificate of {holder_id}")[0]
    key = pki._key(key_path, f"private key of {holder_id}")
    if not pki._same_key(key, cert):
        raise pki.PkiError(f"{key_path} is not the key of the certificate in {cert_path}")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise pki.PkiError(f"{key_path}: only RSA keys are supported")
    return PersonalCertificate(
        holder_id=holder_id,
        certificate=cert,
        chain=(),
        cert_path=cert_path,
        key_path=key_path,
        private_key=key,
    )


def certificate_for(holder: Holder) -> PersonalCertificate:
    """The holder's certificate and key; issued on first need in auto mode."""
    if pki.auto_create():
        ensure(holder)
    try:
        return load(holder.id)
    except pki.PkiError:
        if not pki.auto_create():
            raise
        with pki._creation_lock():  # a concurrent re-issue may be half-way
            return load(holder.id)
