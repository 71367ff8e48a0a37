"""Interoperability: packages written from the standard, without egov's edXML code.

Each package here is built with lxml alone from the element list of QCVN 102:2016 (see the
sources cited in egov/exchange/edxml/validate.py), signed by the ``xmlsec1`` command line with the
sender's key from the test PKI, posted over HTTP to the hub, pulled from the recipient's mailbox
and the delivered copy verified by ``xmlsec1 --verify`` against the CA: the same path another
vendor's system would take. With the prefix ``edXML:``, with ``ns2:`` (what Java JAXB writes) and
with a default namespace; and one package carrying every optional element of the standard.
"""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest
from lxml import etree

from egov.core.signing import pki
from egov.exchange.models import Package

from .test_api import post_xml, token

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed"),
]

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS = "http://www.w3.org/2000/09/xmldsig#"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _organ(sender: bool, code: str, name: str, full: bool) -> list:
    fields = [("OrganId", code)]
    if full:
        fields += [
            ("OrganizationInCharge", "Chính phủ"),
            ("OrganName", name),
            ("OrganAdd", "Số 1, đường A, tỉnh P" if sender else "Số 2, đường B"),
            ("Email", "vanthu@p.gov.vn"),
            ("Telephone", "02203000000"),
            ("Fax", "02203000001"),
            ("Website", "https://p.gov.vn"),
        ]
    else:
        fields.append(("OrganName", name))
    return fields


def package_tree(p, q, *, full: bool, number: int) -> list:
    """The package as (name, text or children) pairs, in the standard's order (1.1-1.14, 2.1-2.2,
    body, attachments)."""
    doc_id = f"{p.code},2026/11/28,{number}/CV-UBND"
    header = [
        ("From", _organ(True, p.code, p.name, full)),
        ("To", _organ(False, q.code, q.name, full)),
        ("Code", [("CodeNumber", str(number)), ("CodeNotation", "CV-UBND")]),
        ("PromulgationInfo", [("Place", "Tỉnh P"), ("PromulgationDate", "2026/11/28")]),
        ("DocumentType", [("Type", "2"), ("TypeDetail", "18"), ("TypeName", "Công văn")]),
        ("Subject", "V/v phối hợp triển khai liên thông văn bản"),
    ]
    if full:
        header += [
            ("Content", "Nội dung tóm tắt của công văn"),
            (
                "SignerInfo",
                [
                    ("Competence", "KT. CHỦ TỊCH"),
                    ("Position", "Phó Chủ tịch"),
                    ("FullName", "Lê C"),
                ],
            ),
            ("DueDate", "2026/12/10"),
            ("ToPlaces", [("Place", "Như trên"), ("Place", "Lưu: VT")]),
            (
                "OtherInfo",
                [
                    ("Priority", "0"),
                    ("SphereOfPromulgation", "Lưu hành nội bộ"),
                    ("TyperNotation", "TVC"),
                    ("PromulgationAmount", "2"),
                    ("PageAmount", "1"),
                    ("Appendixes", [("Appendix", "Phụ lục I"), ("Appendix", "Phụ lục II")]),
                ],
            ),
            (
                "ResponseFor",
                [
                    ("OrganId", q.code),
                    ("Code", "9/CV-UBND"),
                    ("PromulgationDate", "2026/11/01"),
                    ("DocumentId", f"{q.code},2026/11/01,9/CV-UBND"),
                ],
            ),
            ("SteeringType", "0"),
        ]
    else:
        header.append(("OtherInfo", [("Priority", "0")]))
    header.append(("DocumentId", doc_id))
    business = [("BussinessDocType", "0")]
    if full:
        business += [
            ("BussinessDocReason", "Văn bản mới"),
            (
                "BussinessDocumentInfo",
                [
                    ("DocumentInfo", "0"),
                    ("DocumentReceiver", "0"),
                    ("ReceiverList", [("Receiver", [("ReceiverType", "1"), ("OrganId", q.code)])]),
                ],
            ),
            ("DocumentId", "VB-2026-000123"),
            (
                "StaffInfo",
                [
                    ("Department", "Văn phòng"),
                    ("Staff", "Trần Văn Thư"),
                    ("Mobile", "0900000000"),
                    ("Email", "vt@p.gov.vn"),
                ],
            ),
            ("Paper", "0"),
            (
                "ReplacementInfoList",
                [
                    (
                        "ReplacementInfo",
                        [
                            ("DocumentId", f"{p.code},2026/10/01,5/CV-UBND"),
                            ("OrganIdList", [("OrganId", q.code)]),
                        ],
                    )
                ],
            ),
        ]
    reference = [
        ("ContentId", "cid:1"),
        ("AttachmentName", "cong-van.pdf"),
        ("ContentType", "application/pdf"),
    ]
    attachment = list(reference)
    if full:
        reference.append(("Description", "Công văn (bản PDF)"))
        attachment.append(("Description", "Công văn (bản PDF)"))
    attachment += [
        ("ContentTransferEncoded", "base64"),
        ("Value", base64.b64encode(PDF).decode()),
    ]
    return [
        (
            "edXMLHeader",
            [
                ("MessageHeader", header),
                (
                    "TraceHeaderList",
                    [
                        (
                            "TraceHeader",
                            [("OrganId", p.code), ("Timestamp", "2026/11/28 09:30:00")],
                        ),
                        ("Bussiness", business),
                    ],
                ),
            ],
        ),
        ("edXMLBody", [("Manifest", [("Reference", reference)])]),
        ("AttachmentEncoded", [("Attachment", attachment)]),
    ]


def build(tree: list, prefix: str | None):
    """lxml only: every element in the standard's namespace under ``prefix`` (None: default)."""

    root = etree.Element(f"{{{NS}}}edXMLEnvelope", nsmap={prefix: NS})
    _add(root, tree)
    return root


def _add(parent, items) -> None:
    for name, value in items:
        el = etree.SubElement(parent, f"{{{NS}}}{name}")
        if isinstance(value, list):
            _add(el, value)
        else:
            el.text = value


def signature_template(root, parent=None) -> None:
    """An enveloped XMLDSig template for xmlsec1 (RSA-SHA256, exclusive c14n, the certificate),
    last in ``parent`` (the document element by default)."""
    ds = f"{{{DS}}}"
    sig = etree.SubElement(root if parent is None else parent, ds + "Signature", nsmap={"ds": DS})
    info = etree.SubElement(sig, ds + "SignedInfo")
    etree.SubElement(
        info, ds + "CanonicalizationMethod", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"
    )
    etree.SubElement(
        info, ds + "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    )
    ref = etree.SubElement(info, ds + "Reference", URI="")
    transforms = etree.SubElement(ref, ds + "Transforms")
    etree.SubElement(
        transforms,
        ds + "Transform",
        Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    )
    etree.SubElement(
        transforms, ds + "Transform", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"
    )
    etree.SubElement(ref, ds + "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    etree.SubElement(ref, ds + "DigestValue")
    etree.SubElement(sig, ds + "SignatureValue")
    key_info = etree.SubElement(sig, ds + "KeyInfo")
    etree.SubElement(key_info, ds + "X509Data")


def xmlsec1(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [shutil.which("xmlsec1"), *args], capture_output=True, text=True, timeout=60
    )


def sign_with_xmlsec1(root, org, tmp_path, parent=None) -> bytes:
    signature_template(root, parent)
    template = tmp_path / "template.xml"
    template.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    pki.certificate_for(org)
    paths = pki.org_paths(org.code)
    out = tmp_path / "signed.xml"
    done = xmlsec1(
        "--sign", "--privkey-pem", f"{paths.key},{paths.cert}", "--output", str(out), str(template)
    )
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def verify_with_xmlsec1(data: bytes, shared_pki, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "delivered.xml"
    path.write_bytes(data)
    return xmlsec1("--verify", "--trusted-pem", str(shared_pki / "ca.pem"), str(path))


@pytest.mark.parametrize(
    ("prefix", "full"),
    [("edXML", False), ("ns2", False), (None, False), ("edXML", True), ("ns2", True)],
)
def test_a_package_written_from_the_standard_is_delivered_and_verifies(
    client, orgs, settings, shared_pki, tmp_path, prefix, full
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    q = token(client, orgs.q, "documents.receive")
    root = build(package_tree(orgs.p, orgs.q, full=full, number=7), prefix)
    data = sign_with_xmlsec1(root, orgs.p, tmp_path)
    assert b"<edXML:" not in data if prefix != "edXML" else b"<edXML:" in data
    # The sender's own check of its bytes, before anything of egov sees them.
    assert verify_with_xmlsec1(data, shared_pki, tmp_path).returncode == 0

    sent = post_xml(client, "/api/v1/exchange/packages/", data, p)
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["document_id"] == f"{orgs.p.code},2026/11/28,7/CV-UBND"
    package = Package.objects.get(pk=body["id"])
    assert package.subject == "V/v phối hợp triển khai liên thông văn bản"

    [item] = client.get("/api/v1/exchange/mailbox/?state=pending", **q).json()["results"]
    delivered = client.get(f"/api/v1/exchange/mailbox/{item['id']}/package/", **q)
    assert delivered.status_code == 200
    checked = verify_with_xmlsec1(delivered.content, shared_pki, tmp_path)
    assert checked.returncode == 0, checked.stderr
    # The sender's part kept as written: its prefix, and every element it carried.
    copy = etree.fromstring(delivered.content)
    assert copy.prefix == prefix
    sent_names = [etree.QName(e).localname for e in root.iter() if etree.QName(e).namespace == NS]
    got_names = [etree.QName(e).localname for e in copy.iter() if etree.QName(e).namespace == NS]
    # What the hub added: one TraceHeader (OrganId, Timestamp), in the document's own prefix
    # (lxml reuses the declaration in scope when the hub's element goes in).
    assert len(got_names) == len(sent_names) + 3
    [hub_trace] = list(copy.iter(f"{{{NS}}}TraceHeader"))[1:]
    assert hub_trace.prefix == prefix and hub_trace[0].text == orgs.hub.code
    # The hub's own documents keep edXML: whatever the sender wrote.
    assert "<edXML:Status" in body["receipt"]
    original = client.get(f"/api/v1/exchange/mailbox/{item['id']}/package/?original=true", **q)
    assert original.content == data


def test_an_element_the_standard_does_not_define_is_refused_with_its_path(
    client, orgs, settings, tmp_path
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    tree = package_tree(orgs.p, orgs.q, full=False, number=8)
    header = dict(tree)["edXMLHeader"]
    dict(header)["MessageHeader"][0][1].append(("Mobile", "0900000000"))  # From has no Mobile
    data = sign_with_xmlsec1(build(tree, "ns2"), orgs.p, tmp_path)
    refused = post_xml(client, "/api/v1/exchange/packages/", data, p)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_unknown"
    assert refused.json()["element"] == "edXMLEnvelope/edXMLHeader/MessageHeader/From/Mobile"
    assert Package.objects.count() == 0


def test_a_status_packet_written_from_the_standard_is_taken(client, orgs, settings, tmp_path):
    """The recipient answers with a status packet of its own making (ns2:, every element)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    q = token(client, orgs.q, "documents.send", "documents.receive")
    data = sign_with_xmlsec1(
        build(package_tree(orgs.p, orgs.q, full=False, number=9), "ns2"), orgs.p, tmp_path
    )
    body = post_xml(client, "/api/v1/exchange/packages/", data, p).json()
    [item] = client.get("/api/v1/exchange/mailbox/?state=pending", **q).json()["results"]
    client.post(f"/api/v1/exchange/mailbox/{item['id']}/acknowledge/", **q)
    header = [
        (
            "ResponseFor",
            [
                ("OrganId", orgs.p.code),
                ("Code", "9/CV-UBND"),
                ("PromulgationDate", "2026/11/28"),
                ("DocumentId", body["document_id"]),
            ],
        ),
        ("From", _organ(False, orgs.q.code, orgs.q.name, True)),
        ("StatusCode", "03"),
        ("Description", "Đã phân công xử lý"),
        ("Timestamp", "2026/11/28 15:00:00"),
        (
            "StaffInfo",
            [
                ("Department", "Văn phòng"),
                ("Staff", "Phạm D"),
                ("Mobile", "0900000001"),
                ("Email", "vt@q.gov.vn"),
            ],
        ),
    ]
    root = etree.Element(f"{{{NS}}}Status", nsmap={"ns2": NS})
    header_el = etree.SubElement(root, f"{{{NS}}}Header")
    _add(header_el, header)
    answer = sign_with_xmlsec1(root, orgs.q, tmp_path)
    taken = post_xml(client, "/api/v1/exchange/statuses/", answer, q)
    assert taken.status_code == 201, taken.content
    seen = client.get(f"/api/v1/exchange/packages/{body['id']}/", **p).json()
    assert seen["deliveries"][0]["status"] == "03"


def _in_header(root):
    """Where VNPT's SDK puts the signature: in edXMLHeader, after TraceHeaderList."""
    return root.find(f"{{{NS}}}edXMLHeader")


@pytest.mark.parametrize("prefix", ["edXML", "ns2"])
def test_a_package_signed_in_its_header_is_delivered_and_verifies(
    client, orgs, settings, shared_pki, tmp_path, prefix
):
    """VNPT's SDK places ds:Signature inside edXMLHeader: read it there, keep the sender's bytes
    as they are, and deliver the hub's copy with the hub's signature last in the root."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    q = token(client, orgs.q, "documents.receive")
    root = build(package_tree(orgs.p, orgs.q, full=True, number=11), prefix)
    data = sign_with_xmlsec1(root, orgs.p, tmp_path, parent=_in_header(root))
    sent_tree = etree.fromstring(data)
    assert sent_tree.find(f"{{{NS}}}edXMLHeader/{{{DS}}}Signature") is not None
    assert sent_tree.find(f"{{{DS}}}Signature") is None
    assert verify_with_xmlsec1(data, shared_pki, tmp_path).returncode == 0

    sent = post_xml(client, "/api/v1/exchange/packages/", data, p)
    assert sent.status_code == 201, sent.content
    body = sent.json()

    [item] = client.get("/api/v1/exchange/mailbox/?state=pending", **q).json()["results"]
    delivered = client.get(f"/api/v1/exchange/mailbox/{item['id']}/package/", **q)
    checked = verify_with_xmlsec1(delivered.content, shared_pki, tmp_path)
    assert checked.returncode == 0, checked.stderr
    copy = etree.fromstring(delivered.content)
    # The hub's placement: one signature, last in the root, the sender's taken out of the header.
    assert copy[-1].tag == f"{{{DS}}}Signature"
    assert len(list(copy.iter(f"{{{DS}}}Signature"))) == 1
    assert copy.find(f"{{{NS}}}edXMLHeader/{{{DS}}}Signature") is None
    assert list(copy.iter(f"{{{NS}}}TraceHeader"))[-1][0].text == orgs.hub.code
    # The sender's bytes kept intact, for the recipient and for a relay up the chain.
    original = client.get(f"/api/v1/exchange/mailbox/{item['id']}/package/?original=true", **q)
    assert original.content == data
    assert verify_with_xmlsec1(original.content, shared_pki, tmp_path).returncode == 0
    # And the document's evidence trail verifies offline, the header-signed original with it.
    from egov.exchange import trail

    export = client.get(f"/api/v1/exchange/packages/{body['id']}/trail/", **p)
    assert export.status_code == 200
    assert trail.check(export.json()) == []


def test_a_package_signed_in_its_header_and_changed_after_is_refused(
    client, orgs, settings, tmp_path
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    root = build(package_tree(orgs.p, orgs.q, full=False, number=12), "ns2")
    data = sign_with_xmlsec1(root, orgs.p, tmp_path, parent=_in_header(root))
    changed = data.replace("V/v phối hợp".encode(), "V/v hủy bỏ".encode())
    assert changed != data
    refused = post_xml(client, "/api/v1/exchange/packages/", changed, p)
    assert refused.status_code == 400
    assert refused.json()["code"] == "signature_invalid"
    assert Package.objects.count() == 0


def test_two_signatures_header_and_root_are_refused(client, orgs, settings, tmp_path):
    """Strict about meaning: one signature over the document, wherever it sits."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    root = build(package_tree(orgs.p, orgs.q, full=False, number=13), "edXML")
    signed_in_header = etree.fromstring(
        sign_with_xmlsec1(root, orgs.p, tmp_path, parent=_in_header(root))
    )
    twice = sign_with_xmlsec1(signed_in_header, orgs.p, tmp_path)
    assert len(list(etree.fromstring(twice).iter(f"{{{DS}}}Signature"))) == 2
    refused = post_xml(client, "/api/v1/exchange/packages/", twice, p)
    assert refused.status_code == 400
    assert refused.json()["code"] == "signature_missing"
    assert Package.objects.count() == 0


def test_a_signature_elsewhere_is_refused_with_its_path(client, orgs, settings, tmp_path):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    root = build(package_tree(orgs.p, orgs.q, full=False, number=14), "edXML")
    data = sign_with_xmlsec1(root, orgs.p, tmp_path, parent=root.find(f".//{{{NS}}}MessageHeader"))
    refused = post_xml(client, "/api/v1/exchange/packages/", data, p)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_namespace"
    assert refused.json()["element"] == "edXMLEnvelope/edXMLHeader/MessageHeader/Signature"
    assert Package.objects.count() == 0


def test_the_net_sdk_wrapper_is_refused_in_vietnamese_with_its_path(
    client, orgs, settings, tmp_path
):
    """The .NET SDK's sample: <edXML> around the envelope, AttachmentEncoded outside it (the
    decision and its sources: egov/exchange/edxml/validate.py, WRAPPER)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    envelope = build(package_tree(orgs.p, orgs.q, full=False, number=15), "edXML")
    attachments = envelope.find(f"{{{NS}}}AttachmentEncoded")
    wrapper = etree.Element(f"{{{NS}}}edXML", nsmap={None: NS})
    wrapper.append(envelope)
    wrapper.append(attachments)  # moved out of the envelope, as in the sample
    data = sign_with_xmlsec1(wrapper, orgs.p, tmp_path, parent=_in_header(envelope))
    refused = post_xml(
        client, "/api/v1/exchange/packages/", data, {**p, "HTTP_ACCEPT_LANGUAGE": "vi"}
    )
    assert refused.status_code == 400
    error = refused.json()
    assert (error["code"], error["element"], error["rule"]) == ("invalid_root", "edXML", "root")
    assert error["message"].startswith("Phần tử gốc phải là <edXMLEnvelope>")
    assert "SDK .NET" in error["message"]
    assert Package.objects.count() == 0
