"""Signing keys and certificates: a CA, and one certificate per organisation.

Layout of ``settings.EGOV_PKI_DIR`` (read at call time, never at import time)::

    ca.pem                      trust root(s), PEM; the first certificate is the issuing CA
    ca.key.pem                  the CA's private key (development CA only)
    orgs/<code>.key.pem         an organisation's private key (0600)
    orgs/<code>.pem             its certificate
    orgs/<code>.chain.pem       optional: intermediate certificates between it and ca.pem

With ``settings.EGOV_PKI_AUTO_CREATE`` (the default outside production) a development CA is made
on first use, :func:`ensure_pki` issues the certificates of central and province bodies, and any
other organisation gets its certificate on first signing (:func:`certificate_for`). In production
the operator puts the files above in place (no ``ca.key.pem`` needed) and turns auto-creation off;
a missing file then raises :class:`PkiFileMissing`, which names it.

Creation is safe across processes: it runs under an exclusive lock on ``.lock`` in the PKI
directory, and every file is written to a temporary name and moved into place with
``os.replace``. Keys are never logged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings

from egov.core.models.organisations import CODE_RE
from egov.core.progress import Progress, Write

logger = logging.getLogger(__name__)

CA_COMMON_NAME = "egov Development CA"
KEY_SIZE = 2048
CA_VALIDITY = dt.timedelta(days=10 * 365 + 2)
CERT_VALIDITY = dt.timedelta(days=5 * 365 + 1)
# Certificates start a little in the past so a verifier whose clock lags still accepts them.
BACKDATE = dt.timedelta(minutes=10)
# Organisations whose certificates ensure_pki() issues up front; the rest are issued lazily.
EAGER_LEVELS = frozenset({"central", "province"})
# X.520 upper bound for commonName and organizationName.
NAME_MAX = 64


class PkiError(Exception):
    """The PKI cannot provide what was asked (bad configuration, unusable files)."""


class PkiFileMissing(PkiError):
    """A file the PKI needs is not there; ``path`` names it."""

    def __init__(self, path: Path, what: str):
        self.path = path
        hint = (
            "Put it in place, or set EGOV_PKI_AUTO_CREATE=1 to use a development CA."
            if not auto_create()
            else "It cannot be created automatically."
        )
        super().__init__(f"PKI file missing: {path} ({what}). {hint}")


class OrganisationLike(Protocol):
    code: str
    name: str


@dataclass(frozen=True)
class OrgCertificate:
    """An organisation's signing certificate with its key and the chain up to the trust root."""

    code: str
    certificate: x509.Certificate
    # Intermediates between the certificate and ca.pem (empty for the development CA).
    chain: tuple[x509.Certificate, ...]
    cert_path: Path
    key_path: Path
    private_key: rsa.RSAPrivateKey = field(repr=False, compare=False)

    @property
    def subject(self) -> str:
        return subject_text(self.certificate)


@dataclass
class PkiReport:
    """What :func:`ensure_pki` found and did."""

    directory: Path
    ca_path: Path
    ca_created: bool = False
    created: list[str] = field(default_factory=list)
    existing: int = 0
    # Production: organisations of the eager levels with no certificate files.
    missing: list[str] = field(default_factory=list)
    # Organisations whose certificate is issued on first signing.
    deferred: int = 0


# --------------------------------------------------------------------------- paths and settings


def pki_dir() -> Path:
    return Path(settings.EGOV_PKI_DIR)


def auto_create() -> bool:
    return bool(settings.EGOV_PKI_AUTO_CREATE)


def ca_cert_path() -> Path:
    return pki_dir() / "ca.pem"


def ca_key_path() -> Path:
    return pki_dir() / "ca.key.pem"


@dataclass(frozen=True)
class OrgPaths:
    key: Path
    cert: Path
    chain: Path


def org_paths(code: str) -> OrgPaths:
    if not CODE_RE.match(code or ""):
        # The code becomes a file name: accept nothing but the official shape.
        raise PkiError(f"Not an organisation code: {code!r}")
    return _org_paths(str(pki_dir()), code)


@lru_cache(maxsize=4096)
def _org_paths(directory: str, code: str) -> OrgPaths:
    # Remembered per (directory, code): building the three Paths cost more than the stat calls
    # that follow them on every signature.
    base = Path(directory) / "orgs"
    return OrgPaths(
        key=base / f"{code}.key.pem",
        cert=base / f"{code}.pem",
        chain=base / f"{code}.chain.pem",
    )


# --------------------------------------------------------------------------- files and locking

_held = threading.local()


@contextlib.contextmanager
def _creation_lock() -> Iterator[None]:
    """Exclusive across threads and processes sharing the PKI directory; re-entrant."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    directory = pki_dir()
    _make_dir(directory)
    # flock locks an open file description, so two threads of one process exclude each other too.
    with open(directory / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _make_dir(path: Path) -> None:
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)  # the directory holds private keys


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    _make_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomic(path, pem, 0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    _write_atomic(path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _read_certs(path: str, stamp: tuple[int, int]) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))


def _certs(path: Path, what: str) -> tuple[x509.Certificate, ...]:
    stamp = _stamp(path)
    if stamp is None:
        raise PkiFileMissing(path, what)
    try:
        return _read_certs(str(path), stamp)
    except ValueError as exc:
        raise PkiError(f"Not a PEM certificate file: {path} ({what}): {exc}") from None


@lru_cache(maxsize=512)
def _read_key(path: str, stamp: tuple[int, int]) -> PrivateKeyTypes:
    return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)


def _key(path: Path, what: str) -> PrivateKeyTypes:
    stamp = _stamp(path)
    if stamp is None:
        raise PkiFileMissing(path, what)
    try:
        return _read_key(str(path), stamp)
    except (ValueError, TypeError):
        # Do not repeat the loader's message: never risk echoing key material.
        raise PkiError(f"Not an unencrypted PEM private key: {path} ({what})") from None


def _same_key(key: PrivateKeyTypes, cert: x509.Certificate) -> bool:
    return key.public_key() == cert.public_key()


# --------------------------------------------------------------------------- the CA


def trust_roots() -> list[x509.Certificate]:
    """The certificates in ca.pem: the trust anchors signatures are verified against."""
    ensure_ca()
    return list(_certs(ca_cert_path(), "CA certificate"))


def ensure_ca() -> x509.Certificate:
    """Return the CA certificate, making the development CA first if allowed and needed."""
    path = ca_cert_path()
    if not path.exists() and auto_create():
        with _creation_lock():
            if not path.exists():
                _create_ca()
    return _certs(path, "CA certificate")[0]


def _name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def _create_ca() -> None:
    key = _new_key()
    name = _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.ORGANIZATION_NAME, "egov"),
        (NameOID.COMMON_NAME, CA_COMMON_NAME),
    )
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    # Key first: ca.pem is the marker that the CA is complete.
    _write_key(ca_key_path(), key)
    _write_cert(ca_cert_path(), cert)
    logger.info("Created development CA %s (serial %x)", ca_cert_path(), cert.serial_number)


def _ca_signing_material() -> tuple[x509.Certificate, PrivateKeyTypes]:
    ca = ensure_ca()
    key = _key(ca_key_path(), "CA private key, needed to issue organisation certificates")
    if not _same_key(key, ca):
        raise PkiError(
            f"{ca_key_path()} is not the key of the first certificate in {ca_cert_path()}"
        )
    return ca, key


# --------------------------------------------------------------------------- organisations


def _fit(value: str, limit: int, size=len) -> str:
    value = " ".join((value or "").split())
    if size(value) <= limit:
        return value
    while size(value + "…") > limit:
        value = value[:-1]
    return value.rstrip() + "…"


def _utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))


def org_subject(code: str, name: str) -> x509.Name:
    """C=VN, O=name, organizationIdentifier=code, CN=name.

    X.520 bounds both names at 64 characters; cryptography also caps commonName at 64 UTF-8
    bytes, which a long Vietnamese name can pass: such names are shortened with an ellipsis.
    """
    name = " ".join((name or "").split()) or code
    return _name(
        (NameOID.COUNTRY_NAME, "VN"),
        (NameOID.ORGANIZATION_NAME, _fit(name, NAME_MAX)),
        (NameOID.ORGANIZATION_IDENTIFIER, code),
        (NameOID.COMMON_NAME, _fit(name, NAME_MAX, _utf8_len)),
    )


def subject_text(cert: x509.Certificate) -> str:
    """The certificate's subject as an RFC 4514 string, organizationIdentifier spelt out."""
    return cert.subject.rfc4514_string({NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier"})


def org_code_of(cert: x509.Certificate) -> str | None:
    """The organisation code a certificate was issued to (its organizationIdentifier)."""
    attrs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    return str(attrs[0].value) if attrs else None


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _issue(
    code: str,
    name: str,
    key: rsa.RSAPrivateKey,
    ca: x509.Certificate,
    ca_key: PrivateKeyTypes,
) -> None:
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(org_subject(code, name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(min(now + CERT_VALIDITY, ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = org_paths(code)
    # Key first: the certificate is the marker that the pair is complete.
    _write_key(paths.key, key)
    _write_cert(paths.cert, cert)
    logger.debug("Issued signing certificate for %s (serial %x)", code, cert.serial_number)


def _usable(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    """Is this certificate current and issued by the present development CA?"""
    if cert.not_valid_after_utc <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        return False
    return _issued_by(cert, ca)


@lru_cache(maxsize=1024)
def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    # Checked on every signature in auto mode: remember the answer per (certificate, CA) pair
    # (a new file on disk is a new certificate object, see _read_certs).
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _has_usable(paths: OrgPaths, ca: x509.Certificate) -> bool:
    """Auto mode: can this organisation sign with what is on disk, or must we (re)issue?"""
    if not (paths.cert.exists() and paths.key.exists()):
        return False
    if paths.chain.exists() or not ca_key_path().exists():
        # Files from another CA (the operator's): never replaced by us.
        return True
    return _usable(_certs(paths.cert, "certificate")[0], ca)


def _load(code: str) -> OrgCertificate:
    paths = org_paths(code)
    cert = _certs(paths.cert, f"certificate of organisation {code}")[0]
    key = _key(paths.key, f"private key of organisation {code}")
    if not _same_key(key, cert):
        raise PkiError(f"{paths.key} is not the key of the certificate in {paths.cert}")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PkiError(f"{paths.key}: only RSA keys are supported for XMLDSig RSA-SHA256")
    chain = _certs(paths.chain, "chain") if paths.chain.exists() else ()
    return OrgCertificate(
        code=code,
        certificate=cert,
        chain=tuple(chain),
        cert_path=paths.cert,
        key_path=paths.key,
        private_key=key,
    )


def _ensure_org(code: str, name: str) -> bool:
    """Auto mode: make sure a usable certificate exists; True if one was issued now."""
    ca = ensure_ca()
    paths = org_paths(code)
    if _has_usable(paths, ca):
        return False
    # Key generation is the slow part: do it outside the lock (it also releases the GIL).
    key = _new_key()
    with _creation_lock():
        # Another process may have issued it while we waited for the lock.
        if _has_usable(paths, ensure_ca()):
            return False
        ca, ca_key = _ca_signing_material()
        _issue(code, name, key, ca, ca_key)
        return True


def certificate_for(org: OrganisationLike) -> OrgCertificate:
    """The organisation's signing certificate and key; issued on first use in auto mode."""
    if auto_create():
        _ensure_org(org.code, org.name)
    try:
        return _load(org.code)
    except PkiError:
        if not auto_create():
            raise
        # A concurrent re-issue may have replaced the key but not yet the certificate.
        with _creation_lock():
            return _load(org.code)


def has_certificate(code: str) -> bool:
    paths = org_paths(code)
    return paths.cert.exists() and paths.key.exists()


def load_certificate(code: str) -> x509.Certificate:
    """The organisation's certificate only (no key), without creating anything."""
    return _certs(org_paths(code).cert, f"certificate of organisation {code}")[0]


def _eager_organisations() -> list[OrganisationLike]:
    from django.db.models import Q

    from egov.core.models import Organisation

    today = dt.date.today()
    current = Organisation.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    return list(current.filter(level__in=EAGER_LEVELS).only("code", "name"))


def _dedupe(orgs: Iterable[OrganisationLike]) -> dict[str, str]:
    by_code: dict[str, str] = {}
    for org in orgs:
        by_code.setdefault(org.code, org.name)
    return by_code


def ensure_pki(
    organisations: Iterable[OrganisationLike] | None = None,
    *,
    workers: int | None = None,
    write: Write | None = None,
) -> PkiReport:
    """First-start setup: the CA, and certificates for ``organisations``.

    ``organisations`` defaults to the current central and province bodies. In auto mode missing
    or stale certificates are issued (key generation runs in threads: it releases the GIL). With
    auto-creation off nothing is written: the CA must exist, and organisations without files are
    listed in ``missing`` (their signing fails until the operator provides them). ``write``
    (e.g. a command's stdout) is told the progress of the certificates issued.
    """
    report = PkiReport(directory=pki_dir(), ca_path=ca_cert_path())
    report.ca_created = auto_create() and not ca_cert_path().exists()
    ensure_ca()
    wanted = _dedupe(_eager_organisations() if organisations is None else organisations)
    if organisations is None:
        from egov.core.models import Organisation

        report.deferred = (
            Organisation.objects.exclude(code__in=wanted).values("code").distinct().count()
        )
    if not auto_create():
        for code in wanted:
            if has_certificate(code):
                report.existing += 1
            else:
                report.missing.append(code)
        return report

    ca = ensure_ca()
    todo = {}
    for code, name in wanted.items():
        if _has_usable(org_paths(code), ca):
            report.existing += 1
        else:
            todo[code] = name
    if todo:
        workers = workers or min(8, os.cpu_count() or 1)
        step = Progress(write or (lambda line: None), "Signing certificates", len(todo))

        def ensure(item: tuple[str, str]) -> bool:
            new = _ensure_org(*item)
            step.advance()
            return new

        with step, ThreadPoolExecutor(max_workers=workers) as pool:
            issued = list(pool.map(ensure, todo.items()))
        for code, new in zip(todo, issued, strict=True):
            if new:
                report.created.append(code)
            else:
                report.existing += 1
    return report
