"""XML signing without signxml and the fast verification path (egov.core.signing.xmldsig).

Cross-checked with xmlsec1 (signing and verifying) and with signxml (signing and verifying);
every case says which path verified it (fast, or signxml for signatures outside the profile).
"""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import types
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    SignatureReference,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import SignXMLException

from egov.core.signing import certificate_for, ensure_ca, pki, sign_xml, verify_xml, xmldsig
from egov.core.signing import xml as xml_module
from tests.core.test_signing import make_xml, xmlsec1, xmlsec1_verify

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS}
G22 = types.SimpleNamespace(code="000.00.00.G22", name="Văn phòng Chính phủ")
H26 = types.SimpleNamespace(code="000.00.00.H26", name="Ủy ban nhân dân tỉnh Hưng Yên")


@pytest.fixture(scope="module")
def shared_pki(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("xmlfast") / "pki"
    with override_settings(EGOV_PKI_DIR=directory, EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
        certificate_for(G22)
        certificate_for(H26)
    return directory


@pytest.fixture
def pki_dir(settings, shared_pki) -> Path:
    settings.EGOV_PKI_DIR = shared_pki
    settings.EGOV_PKI_AUTO_CREATE = True
    return shared_pki


@pytest.fixture
def paths(monkeypatch) -> list[str]:
    """Which verification path ran, per verify_xml call."""
    ran: list[str] = []
    fast, general = xml_module._verify_fast, xml_module._verify_signxml

    def spy_fast(*args):
        ran.append("fast")
        return fast(*args)

    def spy_general(*args):
        ran.append("signxml")
        return general(*args)

    monkeypatch.setattr(xml_module, "_verify_fast", spy_fast)
    monkeypatch.setattr(xml_module, "_verify_signxml", spy_general)
    return ran


def signxml_valid(data: bytes, ca: Path) -> bool:
    """signxml's own verdict, configured as verify_xml configured it before this path."""
    config = SignatureConfiguration(
        location="./",
        expect_references=1,
        signature_methods=xml_module.SIGNATURE_METHODS,
        digest_algorithms=xml_module.DIGEST_ALGORITHMS,
    )
    try:
        result = XMLVerifier().verify(data, ca_pem_file=str(ca), expect_config=config)
    except (SignXMLException, ValueError):
        return False
    return [r.get("URI") for r in result.signature_xml.iter(f"{{{DS}}}Reference")] == [""]


def signxml_sign(data: bytes, org, **options) -> bytes:
    """A signature made by signxml, as sign_xml made them before."""
    cred = certificate_for(org)
    references = options.pop("references", None)
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=options.pop(
            "c14n_algorithm", CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
        ),
    )
    signed = signer.sign(
        etree.fromstring(data),
        key=cred.private_key,
        cert=[cred.certificate, *cred.chain],
        reference_uri=references,
    )
    return etree.tostring(signed)


def tamper(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1, old
    return data.replace(old, new)


# --------------------------------------------------------------------------- documents

RICH = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<doc xmlns="urn:example:default" xmlns:p="urn:example:p" xmlns:unused="urn:x" p:kind="thư">\n'
    '  <p:item id="1" a="b &amp; c">Văn bản có dấu: Đồng ý</p:item>\n'
    "  <empty/>\n"
    "</doc>\n"
).encode()


def template(c14n: str, *, where: str = "middle") -> bytes:
    """A document with an empty signature in our profile, for ``xmlsec1 --sign`` to fill.

    The signature uses the default namespace (no ds: prefix), sits among other elements with
    whitespace around it, and is pretty-printed as other signers do."""
    signature = f"""<Signature xmlns="{DS}">
    <SignedInfo>
      <CanonicalizationMethod Algorithm="{c14n}"/>
      <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
      <Reference URI="">
        <Transforms>
          <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
          <Transform Algorithm="{c14n}"/>
        </Transforms>
        <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <DigestValue/>
      </Reference>
    </SignedInfo>
    <SignatureValue/>
    <KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>
  </Signature>"""
    before = '\n  <p:item id="1">Văn bản trước chữ ký</p:item>\n  '
    after = '\n  <p:after note="sau">Sau chữ ký: tiếng Việt</p:after>\n'
    body = {
        "middle": f"{before}{signature}{after}",
        "first": f"\n  {signature}{after}",
        "last": f"{before}{signature}\n",
    }[where]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<doc xmlns="urn:example:default" xmlns:p="urn:example:p" p:kind="thư">{body}</doc>\n'
    ).encode()


def xmlsec1_sign(document: bytes, org, tmp_path: Path) -> bytes:
    cred = certificate_for(org)
    source, out = tmp_path / "template.xml", tmp_path / "signed.xml"
    source.write_bytes(document)
    done = subprocess.run(
        [
            xmlsec1(),
            "--sign",
            "--privkey-pem",
            f"{cred.key_path},{cred.cert_path}",
            "--output",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_bytes()


# --------------------------------------------------------------------------- our signatures


def test_profile_uris_are_the_ones_signxml_accepts():
    assert set(xmldsig.SIGNATURE_HASHES) == {m.value for m in xml_module.SIGNATURE_METHODS}
    assert set(xmldsig.DIGESTS) == {d.value for d in xml_module.DIGEST_ALGORITHMS}


@pytest.mark.parametrize("document", [make_xml(), RICH], ids=["edxml", "namespaces"])
def test_our_signature_verifies_everywhere(pki_dir, paths, tmp_path, document):
    signed = sign_xml(document, G22)
    assert signed.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    signature = etree.fromstring(signed)[-1]
    assert signature.tag == f"{{{DS}}}Signature"
    assert [etree.QName(e).localname for e in signature] == [
        "SignedInfo",
        "SignatureValue",
        "KeyInfo",
    ]
    assert signature.xpath(
        "ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform/@Algorithm", namespaces=NS
    ) == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
    ]
    result = verify_xml(signed)
    assert result.valid, result.error
    assert result.signer_code == G22.code and "Văn phòng Chính phủ" in result.signer_subject
    assert result.certificate == certificate_for(G22).certificate
    assert paths == ["fast"]
    assert signxml_valid(signed, pki_dir / "ca.pem")
    done = xmlsec1_verify(signed, pki_dir / "ca.pem", tmp_path)
    assert done.returncode == 0 and done.stderr.startswith("OK"), done.stdout + done.stderr


def test_same_structure_as_signxml_made(pki_dir):
    ours = etree.fromstring(sign_xml(RICH, G22))[-1]
    theirs = etree.fromstring(signxml_sign(RICH, G22))[-1]

    def shape(node):
        return [(e.tag, sorted(e.attrib.items()), e.nsmap) for e in node.iter()]

    assert shape(ours) == shape(theirs)
    # Same digest, same key, PKCS#1 v1.5 is deterministic: the same signature, octet for octet.
    assert etree.tostring(ours) == etree.tostring(theirs)


def test_sign_xml_copies_the_element_and_keeps_it(pki_dir, paths):
    element = etree.fromstring(RICH)
    before = etree.tostring(element)
    signed = sign_xml(element, G22)
    assert isinstance(signed, etree._Element) and signed is not element
    assert etree.tostring(element) == before
    assert verify_xml(signed).valid and paths == ["fast"]
    # A sub-element is signed as a document of its own, with its in-scope namespaces.
    item = sign_xml(element[0], G22)
    assert item.nsmap["p"] == "urn:example:p" and item.getparent() is None
    assert verify_xml(etree.tostring(item)).valid


def test_processing_instructions_outside_the_root_are_not_carried(pki_dir, tmp_path, paths):
    signed = sign_xml(b"<?pi before?><a><b>x</b></a><?pi after?>", G22)
    assert b"<?pi" not in signed
    assert verify_xml(signed).valid and paths == ["fast"]
    assert xmlsec1_verify(signed, pki_dir / "ca.pem", tmp_path).returncode == 0


def test_verification_leaves_the_callers_tree_as_it_was(pki_dir, paths):
    # ds declared on the document element, the signature first, in the middle, last (moving
    # an element without text around it leaves the document without it unchanged).
    document = b'<a xmlns="urn:a" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">x<b/>y<c/>z</a>'
    for index in (0, 1, 2):
        root = sign_xml(etree.fromstring(document), G22)
        root.insert(index, root[-1])
        before = etree.tostring(root)
        assert verify_xml(root).valid
        assert etree.tostring(root) == before
        root[index].tail = "changed"
        before = etree.tostring(root)
        assert not verify_xml(root).valid
        assert etree.tostring(root) == before
    assert paths == ["fast"] * 6


def test_signed_element_is_the_document_without_its_signature(pki_dir):
    signed = sign_xml(RICH, G22)
    result = verify_xml(signed)
    expected = etree.fromstring(RICH)
    assert etree.tostring(result.signed_element, method="c14n") == etree.tostring(
        expected, method="c14n", exclusive=True
    )
    assert result.signed_element.find(f"{{{DS}}}Signature") is None


# --------------------------------------------------------------------------- other signers


def test_accepts_a_signature_made_by_signxml(pki_dir, paths):
    signed = signxml_sign(RICH, H26)
    result = verify_xml(signed)
    assert result.valid and result.signer_code == H26.code and paths == ["fast"]


@pytest.mark.parametrize("where", ["middle", "first", "last"])
@pytest.mark.parametrize(
    "c14n", [xmldsig.C14N_EXCLUSIVE, xmldsig.C14N_INCLUSIVE], ids=["exclusive", "inclusive"]
)
def test_accepts_a_signature_made_by_xmlsec1(pki_dir, paths, tmp_path, c14n, where):
    signed = xmlsec1_sign(template(c14n, where=where), H26, tmp_path)
    root = etree.fromstring(signed)
    # xmlsec1 wraps base64 in lines: accepted.
    assert "\n" in root.findtext("ds:Signature/ds:SignatureValue", namespaces=NS).strip()
    result = verify_xml(signed)
    assert result.valid, result.error
    assert result.signer_code == H26.code and paths == ["fast"]
    assert xmlsec1_verify(signed, pki_dir / "ca.pem", tmp_path).returncode == 0
    # signxml refused xmlsec1's inclusive-c14n signatures in a document whose default
    # namespace is not the signature's: libxml2 writes xmlns="" into its c14n of SignedInfo.
    assert signxml_valid(signed, pki_dir / "ca.pem") is (c14n == xmldsig.C14N_EXCLUSIVE)
    before = etree.tostring(root)
    assert verify_xml(root).valid
    assert etree.tostring(root) == before  # the tails around the signature put back
    # The text after the signature stays in the document: changing it breaks the digest, as
    # does the text after the last element (the signature's own tail when it comes last).
    for changed in (
        tamper(signed, b"</Signature>\n", b"</Signature>\n\n"),
        tamper(signed, b"</doc>", b" </doc>"),
    ):
        assert not verify_xml(changed).valid
        assert xmlsec1_verify(changed, pki_dir / "ca.pem", tmp_path).returncode != 0
    assert paths == ["fast"] * 4


def test_comments_are_not_signed_as_with_xmlsec1(pki_dir, paths, tmp_path):
    signed = sign_xml(make_xml(), G22)
    commented = tamper(signed, b"<edXMLBody>", b"<edXMLBody><!-- added after signing -->")
    assert verify_xml(commented).valid and paths == ["fast"]
    assert xmlsec1_verify(commented, pki_dir / "ca.pem", tmp_path).returncode == 0


# --------------------------------------------------------------------------- tampering


def _other_cert_text() -> str:
    return base64.b64encode(
        certificate_for(H26).certificate.public_bytes(serialization.Encoding.DER)
    ).decode()


@pytest.mark.parametrize(
    "change",
    [
        "text",
        "attribute",
        "added_element",
        "removed_element",
        "digest_value",
        "signature_value",
        "other_certificate",
        "tail_after_signature",
    ],
)
def test_refuses_a_tampered_document(pki_dir, paths, tmp_path, change):
    signed = sign_xml(RICH.replace(b"</doc>", b"<last/>\n</doc>"), G22)
    root = etree.fromstring(signed)
    signature = root[-1]
    if change == "text":
        root[0].text = "Văn bản có dấu: Không đồng ý"
    elif change == "attribute":
        root[0].set("a", "b & d")
    elif change == "added_element":
        etree.SubElement(root[1], "{urn:example:default}extra")
    elif change == "removed_element":
        root.remove(root.find("{urn:example:default}last"))
    elif change == "digest_value":
        node = signature.find("ds:SignedInfo/ds:Reference/ds:DigestValue", NS)
        node.text = base64.b64encode(bytes(32)).decode()
    elif change == "signature_value":
        node = signature.find("ds:SignatureValue", NS)
        raw = bytearray(base64.b64decode(node.text))
        raw[-1] ^= 1
        node.text = base64.b64encode(raw).decode()
    elif change == "other_certificate":
        signature.find(".//ds:X509Certificate", NS).text = _other_cert_text()
    elif change == "tail_after_signature":
        signature.tail = "\n"
    tampered = etree.tostring(root)
    result = verify_xml(tampered)
    assert not result.valid and result.error and paths == ["fast"]
    assert not signxml_valid(tampered, pki_dir / "ca.pem")
    assert xmlsec1_verify(tampered, pki_dir / "ca.pem", tmp_path).returncode != 0


def _sign_with(key, certs) -> bytes:
    root = etree.fromstring(make_xml())
    xmldsig.sign_enveloped(root, key, certs)
    return etree.tostring(root)


def _leaf(subject, issuer, issuer_key, key, *, before, after):
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(before)
        .not_valid_after(after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def test_refuses_a_self_signed_certificate(pki_dir, paths, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = pki.org_subject(G22.code, G22.name)
    now = dt.datetime.now(dt.UTC)
    cert = _leaf(
        name, name, key, key, before=now - dt.timedelta(hours=1), after=now + dt.timedelta(days=1)
    )
    signed = _sign_with(key, [cert])
    result = verify_xml(signed)
    assert not result.valid and paths == ["fast"]
    assert xmlsec1_verify(signed, pki_dir / "ca.pem", tmp_path).returncode != 0


def test_refuses_an_expired_certificate(pki_dir, paths, tmp_path, monkeypatch):
    ca, ca_key = pki._ca_signing_material()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    subject = pki.org_subject("000.00.00.G09", "Bộ Tài chính")
    expired = _leaf(
        subject,
        ca.subject,
        ca_key,
        key,
        before=now - dt.timedelta(days=10),
        after=now - dt.timedelta(days=1),
    )
    assert not verify_xml(_sign_with(key, [expired])).valid

    # A certificate valid at first, its chain then cached: still refused once it has expired.
    current = _leaf(
        subject,
        ca.subject,
        ca_key,
        key,
        before=now - dt.timedelta(hours=1),
        after=now + dt.timedelta(hours=1),
    )
    signed = _sign_with(key, [current])
    assert verify_xml(signed).valid
    later = now + dt.timedelta(hours=2)
    monkeypatch.setattr(xml_module, "_verification_time", lambda: later)
    result = verify_xml(signed)
    assert not result.valid and "expired" in result.error
    assert paths == ["fast"] * 3


def test_refuses_a_chain_to_another_ca(pki_dir, paths, settings, tmp_path):
    signed = sign_xml(make_xml(), G22)
    settings.EGOV_PKI_DIR = tmp_path / "other-pki"
    assert not verify_xml(signed).valid and paths == ["fast"]


def test_base64_with_line_breaks_is_read_and_garbage_is_refused(pki_dir, paths):
    root = etree.fromstring(sign_xml(make_xml(), G22))
    value = root[-1].find("ds:SignatureValue", NS)
    text = value.text
    value.text = "\n" + "\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + "\n"
    assert verify_xml(etree.tostring(root)).valid
    value.text = text[:-4] + "!!!!"
    result = verify_xml(etree.tostring(root))
    assert not result.valid and "base64" in result.error
    assert paths == ["fast", "fast"]


def test_a_signature_not_on_the_document_element_is_refused(pki_dir, paths):
    # Wrapping: the signature moved under another element verifies nothing.
    root = etree.fromstring(sign_xml(make_xml(), G22))
    root[0].append(root[-1])
    assert not verify_xml(etree.tostring(root)).valid
    assert paths == ["signxml"]


# --------------------------------------------------------------------------- outside the profile


def test_out_of_profile_signatures_take_signxml_and_get_its_answer(pki_dir, paths):
    ca = pki_dir / "ca.pem"
    doc_with_id = b'<a xmlns="urn:a" Id="doc"><b Id="part">x</b><c>y</c></a>'
    cases = {
        # Valid, but a c14n algorithm the fast path does not take.
        "c14n11": (
            signxml_sign(RICH, G22, c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1),
            True,
        ),
        "uri_id": (
            signxml_sign(doc_with_id, G22, references=[SignatureReference(URI="#doc")]),
            False,
        ),
        "two_references": (
            signxml_sign(
                doc_with_id,
                G22,
                references=[SignatureReference(URI="#doc"), SignatureReference(URI="#part")],
            ),
            False,
        ),
        "rsa_sha1": (
            signxml_sign(RICH, G22).replace(
                xmldsig.RSA_SHA256.encode(), b"http://www.w3.org/2000/09/xmldsig#rsa-sha1"
            ),
            False,
        ),
    }
    for name, (signed, expected) in cases.items():
        paths.clear()
        result = verify_xml(signed)
        assert paths == ["signxml"], name
        assert result.valid is expected is signxml_valid(signed, ca), (name, result.error)


def test_two_signatures_or_a_pi_outside_the_root_take_signxml(pki_dir, paths):
    signed = sign_xml(make_xml(), G22)
    twice = sign_xml(signed, H26)  # the second signature covers the first
    assert len(etree.fromstring(twice).findall("ds:Signature", NS)) == 2
    result = verify_xml(twice)
    # signxml checks the first signature, which the second one's insertion broke.
    assert result.valid is signxml_valid(twice, pki_dir / "ca.pem") is False
    # signxml leaves PIs outside the document element out of the digest (xmlsec1 does not).
    with_pi = b"<?xml-stylesheet href='x'?>\n" + signed.split(b"?>\n", 1)[1]
    assert verify_xml(with_pi).valid is signxml_valid(with_pi, pki_dir / "ca.pem") is True
    # A comment inside the signature's structure: signxml judges (SignedInfo is c14n'd
    # without comments, so it still verifies).
    commented = signed.replace(b"</ds:SignatureMethod>", b"</ds:SignatureMethod><!--x-->")
    commented = commented.replace(b'rsa-sha256"/>', b'rsa-sha256"/><!--x-->')
    assert verify_xml(commented).valid is signxml_valid(commented, pki_dir / "ca.pem") is True
    assert paths == ["signxml"] * 3


def test_garbage_never_raises(pki_dir):
    signed = sign_xml(make_xml(), G22)
    for data in (
        b"",
        b"<a/>",
        signed.replace(b"<ds:X509Certificate>MII", b"<ds:X509Certificate>AAA"),
    ):
        assert not verify_xml(data).valid


@pytest.mark.parametrize("path", ["fast", "signxml"])
def test_a_signature_below_the_root_verifies_at_its_location(
    pki_dir, paths, tmp_path, monkeypatch, path
):
    """An enveloped signature over the whole document may sit in a child element (VNPT's edXML
    SDK puts it in edXMLHeader): verified there when the caller names that location, on both
    paths; not found at the root."""
    if path == "signxml":
        monkeypatch.setattr(xml_module.xmldsig, "parse_profile", lambda root, location: None)
    document = (
        template(xmldsig.C14N_EXCLUSIVE, where="middle")
        .replace(b'<Signature xmlns="', b'<p:box><Signature xmlns="', 1)
        .replace(b"</Signature>", b"</Signature></p:box>", 1)
    )
    signed = xmlsec1_sign(document, H26, tmp_path)
    assert xmlsec1_verify(signed, pki_dir / "ca.pem", tmp_path).returncode == 0
    root = etree.fromstring(signed)
    before = etree.tostring(root)
    result = verify_xml(root, location="./{urn:example:p}box/")
    assert result.valid, result.error
    assert result.signer_code == H26.code and paths == [path]
    assert etree.tostring(root) == before  # the caller's tree as it was
    assert not verify_xml(signed).valid  # not at the root
    changed = tamper(signed, "Sau chữ ký".encode(), "Trước chữ ký".encode())
    assert not verify_xml(changed, location="./{urn:example:p}box/").valid
