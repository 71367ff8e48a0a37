"""XML signatures with signxml: enveloped XMLDSig, RSA-SHA256, the signer's certificate in X509Data.

The signature is the last child of the document element and references the whole document
(``URI=""``, enveloped-signature and exclusive c14n transforms), so independent verifiers such as
``xmlsec1 --verify --trusted-pem ca.pem`` need no ID attribute configuration.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import SignXMLException

from egov.core.signing import pki

logger = logging.getLogger(__name__)

DS_NS = "http://www.w3.org/2000/09/xmldsig#"

SIGNATURE_METHODS = frozenset(
    {SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512}
)
DIGEST_ALGORITHMS = frozenset(
    {DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}
)


def _parser() -> etree.XMLParser:
    # No entity expansion, no network, no DTD loading: the input may come from another agency.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(data: bytes | str) -> etree._Element:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return etree.fromstring(data, parser=_parser())


def sign_xml(
    data: etree._Element | bytes | str, org: pki.OrganisationLike
) -> etree._Element | bytes:
    """Sign a document as ``org``; return an element for an element, UTF-8 bytes otherwise.

    ``ds:Signature`` is appended to the document element. The input element is not modified.
    KeyInfo/X509Data holds the organisation's certificate followed by any intermediates of its
    chain file (not the root: verifiers must hold that already).
    """
    cred = pki.certificate_for(org)
    root = data if isinstance(data, etree._Element) else parse(data)
    # Sign a copy: the caller's tree stays as it was.
    root = parse(etree.tostring(root))
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(
        root,
        key=cred.private_key,
        cert=[cred.certificate, *cred.chain],
    )
    logger.debug("Signed XML <%s> as %s", etree.QName(signed).localname, cred.code)
    if isinstance(data, etree._Element):
        return signed
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


@dataclass(frozen=True)
class XmlVerification:
    valid: bool
    signer_subject: str | None = None
    signer_code: str | None = None
    certificate: x509.Certificate | None = None
    # What was signed, re-parsed: trust this, not the document that was handed in.
    signed_element: etree._Element | None = None
    error: str | None = None


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


def verify_xml(data: etree._Element | bytes | str) -> XmlVerification:
    """Verify the enveloped signature of a document against our CA. Never raises for bad input.

    Requires exactly one reference, to the whole document, an RSA-SHA2 signature, and a signing
    certificate that chains up to ca.pem (intermediates may be in X509Data).
    """
    try:
        root = data if isinstance(data, etree._Element) else parse(data)
    except etree.XMLSyntaxError as exc:
        return XmlVerification(valid=False, error=f"not well-formed XML: {exc}")
    pki.ensure_ca()
    config = SignatureConfiguration(
        location="./",
        expect_references=1,
        signature_methods=SIGNATURE_METHODS,
        digest_algorithms=DIGEST_ALGORITHMS,
    )
    try:
        result = XMLVerifier().verify(
            root, ca_pem_file=str(pki.ca_cert_path()), expect_config=config
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
        signed_element=result.signed_xml,
    )
