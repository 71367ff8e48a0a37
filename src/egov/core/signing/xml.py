"""XML signatures: enveloped XMLDSig, RSA-SHA256, the signer's certificate in X509Data.

Signing, and verifying signatures in that profile, is :mod:`egov.core.signing.xmldsig` (lxml's
c14n and ``cryptography``); signatures in any other shape are verified by signxml.

The signature is the last child of the document element and references the whole document
(``URI=""``, enveloped-signature and exclusive c14n transforms), so independent verifiers such as
``xmlsec1 --verify --trusted-pem ca.pem`` need no ID attribute configuration.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from lxml import etree
from signxml import (
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLVerifier,
)
from signxml.exceptions import SignXMLException
from signxml.util import X509CertChainVerifier

from egov.core.signing import pki, xmldsig

logger = logging.getLogger(__name__)

DS_NS = xmldsig.DS_NS

SIGNATURE_METHODS = frozenset(
    {SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512}
)
DIGEST_ALGORITHMS = frozenset(
    {DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}
)


def _parser(huge: bool = False, remove_comments: bool = False) -> etree.XMLParser:
    # No entity expansion, no network, no DTD loading: the input may come from another agency.
    # ``huge`` lifts libxml2's limits (a text node over 10 MB, depth over 256): only for input
    # whose size the caller has capped already (the hub: EGOV_EXCHANGE_MAX_PACKAGE), since a
    # base64 attachment over about 7 MB is one text node over 10 MB.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=huge,
        remove_comments=remove_comments,
    )


def parse(data: bytes | str, *, huge: bool = False, comments: bool = True) -> etree._Element:
    """``comments=False`` drops comments while parsing: a signature does not cover them (c14n
    without comments), so one inserted into a signed text would split what ``.text`` reads."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    parser = _parser(huge, remove_comments=not comments)
    return etree.fromstring(data, parser=parser)


def sign_xml(
    data: etree._Element | bytes | str, org: pki.OrganisationLike, *, in_place: bool = False
) -> etree._Element | bytes:
    """Sign a document as ``org``; return an element for an element, UTF-8 bytes otherwise.

    ``ds:Signature`` is appended to the document element. The input element is not modified,
    unless ``in_place`` (a document element the caller built to be signed and owns alone: the
    hub's copy and receipts; saves the copy).
    KeyInfo/X509Data holds the organisation's certificate followed by any intermediates of its
    chain file (not the root: verifiers must hold that already). Always ``URI=""`` (signxml
    used ``#<Id>`` when the document element had an Id attribute; ours never do).
    """
    cred = pki.certificate_for(org)
    if isinstance(data, etree._Element):
        # The caller keeps its tree (edxml.sign; the hub's copy relies on sign not touching
        # it either way): sign a copy. A deepcopy of a document element costs 0.05 ms on 140
        # kB against 0.27 ms to serialise and re-parse; a sub-element is serialised as signxml
        # did, so its in-scope namespace declarations all come along.
        if data.getparent() is None:
            root = data if in_place else copy.deepcopy(data)
        else:
            root = parse(etree.tostring(data, with_tail=False), huge=True)
    else:
        # What we sign is ours (built here or already parsed and size-checked): no text size
        # limit. The parsed tree is ours: signed in place.
        root = parse(data, huge=True)
        docinfo = root.getroottree().docinfo
        if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise ValueError("DTD declarations are not supported in XML input")  # as signxml
    xmldsig.sign_enveloped(root, cred.private_key, [cred.certificate, *cred.chain])
    logger.debug("Signed XML <%s> as %s", etree.QName(root).localname, cred.code)
    if isinstance(data, etree._Element):
        return root
    # The document element only: PIs and comments outside it are not carried over (as before).
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@dataclass(frozen=True)
class XmlVerification:
    valid: bool
    signer_subject: str | None = None
    signer_code: str | None = None
    certificate: x509.Certificate | None = None
    error: str | None = None
    # What was signed: the canonical octets the digest covers (the document without its
    # signature and without comments).
    signed_octets: bytes | None = field(default=None, repr=False)

    @cached_property
    def signed_element(self) -> etree._Element | None:
        """What was signed, re-parsed: trust this, not the document that was handed in.

        Parsed on first access only (no caller outside this module reads it; parsing 140 kB
        costs more than the rest of a fast verification)."""
        if self.signed_octets is None:
            return None
        try:
            return parse(self.signed_octets, huge=True)
        except etree.XMLSyntaxError:
            return None


def _signing_certificate(signature: etree._Element, key_pem: bytes) -> x509.Certificate | None:
    for node in signature.iter(f"{{{DS_NS}}}X509Certificate"):
        pem = (
            "-----BEGIN CERTIFICATE-----\n"
            + "".join((node.text or "").split())
            + "\n-----END CERTIFICATE-----\n"
        )
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except ValueError:
            continue
        public = cert.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if public == key_pem:
            return cert
    return None


# Certificate chains that verified against ca.pem, per (chain, ca.pem version): building the
# trust store and the path costs more than the RSA check itself. An entry lives CHAIN_CACHE_TTL
# seconds; both verification paths still check the signing certificate's validity period on
# every call.
CHAIN_CACHE_TTL = 300.0
CHAIN_CACHE_MAX = 1024
_chain_cache: dict[tuple, tuple[float, x509.Certificate]] = {}
# One signxml chain verifier per ca.pem version, reused: an X509CertChainVerifier is never freed
# (its extension policies, Rust objects, hold a bound method of it: a cycle the garbage
# collector cannot see), so making one per signature leaked about 1.5 kB per verification.
_chain_verifiers: dict[tuple, X509CertChainVerifier] = {}
_chain_lock = threading.Lock()


class _CachedChain:
    """What signxml asks for (``verify(cert_chain)``), answered from the cache or by the shared
    verifier of this ca.pem at this verification time."""

    def __init__(self, ca_pem_file: str, ca_stamp, verification_time):
        self.key = (ca_pem_file, ca_stamp)
        self.verification_time = verification_time

    def verify(self, cert_chain):
        key = (*self.key, tuple(c.fingerprint(hashes.SHA256()) for c in cert_chain))
        now = time.monotonic()
        with _chain_lock:
            hit = _chain_cache.get(key)
        if hit is not None and now - hit[0] < CHAIN_CACHE_TTL:
            return hit[1]
        with _chain_lock:
            verifier = _chain_verifiers.get(self.key)
            if verifier is None:
                if len(_chain_verifiers) >= 16:  # ca.pem replaced many times: start afresh
                    _chain_verifiers.clear()
                verifier = _chain_verifiers[self.key] = X509CertChainVerifier(
                    ca_pem_file=self.key[0]
                )
            verifier.verification_time = self.verification_time
            signing_cert = verifier.verify(cert_chain)  # raises InvalidCertificate: not cached
            if len(_chain_cache) >= CHAIN_CACHE_MAX:
                _chain_cache.clear()
            _chain_cache[key] = (now, signing_cert)
        return signing_cert


class _Verifier(XMLVerifier):
    ca_stamp = None

    def get_cert_chain_verifier(self, ca_pem_file, ee_policy, ca_policy):
        # verify_xml never passes policies: signxml's defaults, as before.
        assert ee_policy is None and ca_policy is None
        return _CachedChain(str(ca_pem_file), self.ca_stamp, self._get_cert_verification_time())


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def verify_xml(
    data: etree._Element | bytes | str, *, huge: bool = False, location: str = "./"
) -> XmlVerification:
    """Verify the enveloped signature of a document against our CA. Never raises for bad input.

    ``location``: the parent path of the one ``ds:Signature`` (signxml's word), the document
    element by default; an edXML package signed by VNPT's SDK has it in ``edXMLHeader``.

    Requires exactly one reference, to the whole document, an RSA-SHA2 signature, and a signing
    certificate that chains up to ca.pem (intermediates may be in X509Data). ``huge``: the caller
    capped the input's size, so a text node may exceed libxml2's 10 MB (large attachments).

    A signature in the profile of :mod:`egov.core.signing.xmldsig` (ours, and the usual shape
    of other signers') is checked there; anything else by signxml, as before.
    """
    try:
        root = data if isinstance(data, etree._Element) else parse(data, huge=huge)
    except etree.XMLSyntaxError as exc:
        return XmlVerification(valid=False, error=f"not well-formed XML: {exc}")
    pki.ensure_ca()
    profile = xmldsig.parse_profile(root, location)
    if profile is None:
        return _verify_signxml(root, huge, location)
    return _verify_fast(root, profile)


def _verification_time() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def _verify_fast(root: etree._Element, profile: xmldsig.Profile) -> XmlVerification:
    try:
        chain = xmldsig.certificates(profile)
        ca_path = pki.ca_cert_path()
        now = _verification_time()
        # The chain as signxml would check it (leaf first, else the reverse order), through the
        # same cache and the same shared verifier per ca.pem.
        cert = _CachedChain(str(ca_path), _stamp(ca_path), now).verify(chain)
        # Checked on every call, as signxml does: a cached chain may outlive the certificate.
        if now < cert.not_valid_before_utc:
            raise xmldsig.Invalid("the signing certificate is not yet valid")
        if now > cert.not_valid_after_utc:
            raise xmldsig.Invalid("the signing certificate has expired")
        xmldsig.check_signature_value(profile, cert.public_key())
        octets = xmldsig.check_digest(root, profile)
    except (
        xmldsig.Invalid,
        SignXMLException,
        ValueError,
        UnsupportedAlgorithm,
        etree.LxmlError,
    ) as exc:
        # Never raises for bad input: a key type cryptography cannot load, a c14n error.
        return XmlVerification(valid=False, error=str(exc) or type(exc).__name__)
    return XmlVerification(
        valid=True,
        signer_subject=pki.subject_text(cert),
        signer_code=pki.org_code_of(cert),
        certificate=cert,
        signed_octets=octets,
    )


def _verify_signxml(root: etree._Element, huge: bool, location: str) -> XmlVerification:
    """The general path, for signatures outside the fast profile: unchanged."""
    config = SignatureConfiguration(
        location=location,
        expect_references=1,
        signature_methods=SIGNATURE_METHODS,
        digest_algorithms=DIGEST_ALGORITHMS,
    )
    try:
        verifier = _Verifier()
        ca_path = pki.ca_cert_path()
        verifier.ca_stamp = _stamp(ca_path)
        result = verifier.verify(
            root, ca_pem_file=str(ca_path), expect_config=config, parser=_parser(huge)
        )
    except (SignXMLException, ValueError) as exc:
        return XmlVerification(valid=False, error=str(exc) or type(exc).__name__)
    uris = [ref.get("URI") for ref in result.signature_xml.iter(f"{{{DS_NS}}}Reference")]
    if uris != [""] or result.signed_xml is None:
        return XmlVerification(valid=False, error="the signature does not cover the whole document")
    cert = _signing_certificate(result.signature_xml, result.signature_key)
    return XmlVerification(
        valid=True,
        signer_subject=pki.subject_text(cert) if cert is not None else None,
        signer_code=pki.org_code_of(cert) if cert is not None else None,
        certificate=cert,
        signed_octets=result.signed_data,
    )
