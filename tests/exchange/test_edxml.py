"""edXML: build, parse, validate, sign; xmlsec1 checks a signed package independently."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from lxml import etree

from egov.core.signing import verify_xml
from egov.exchange import edxml

from .conftest import make_package, signed

pytestmark = pytest.mark.django_db


def test_every_element_is_prefixed_in_the_namespace(orgs):
    root = edxml.build(make_package(orgs.p, [orgs.q, orgs.a]))
    for el in root.iter():
        assert etree.QName(el).namespace == edxml.NS
        assert el.prefix == "edXML"
    text = edxml.to_bytes(root).decode()
    assert "<edXML:edXMLEnvelope xmlns:edXML=" in text
    assert "<edXML:DocumentId>000.00.00.H26,2026/11/28,1/QĐ-UBND</edXML:DocumentId>" in text
    assert "<edXML:PromulgationDate>2026/11/28</edXML:PromulgationDate>" in text


def test_round_trip(orgs):
    pkg = make_package(
        orgs.p,
        [orgs.q, orgs.a],
        business=edxml.Business(
            edxml.REPLACE,
            "Sai sót",
            receivers=[orgs.q.code],
            replacements=[edxml.Replacement("000.00.00.H26,2026/11/01,7/QĐ-UBND", [orgs.q.code])],
        ),
    )
    pkg.header.response_for = [
        edxml.ResponseFor(orgs.q.code, "000.00.00.H46,2026/10/01,3/CV-UBND", "3/CV-UBND")
    ]
    pkg.header.to_places = ["Lưu: VT"]
    pkg.header.appendixes = ["Phụ lục I"]
    pkg.header.page_amount = 3
    back = edxml.parse(signed(pkg, orgs.p))
    assert back == pkg
    # Status packets too.
    status = edxml.Status(
        response_for=edxml.ResponseFor(orgs.p.code, pkg.document_id),
        from_=edxml.Organ(orgs.q.code, orgs.q.name),
        code="02",
        timestamp=dt.datetime(2026, 11, 28, 10, 0, 0, tzinfo=edxml.VN),
        description="Sai thẩm quyền",
        staff=edxml.StaffInfo("Văn thư", "Trần B", "0900000000", "vt@q.gov.vn"),
    )
    assert edxml.parse_status(edxml.sign(edxml.build_status(status), orgs.q)) == status


def test_signature_verifies_and_names_the_signer(orgs):
    result = verify_xml(signed(make_package(orgs.p, [orgs.q]), orgs.p))
    assert result.valid, result.error
    assert result.signer_code == orgs.p.code


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed")
def test_xmlsec1_verifies_a_signed_package(orgs, tmp_path, shared_pki):
    path = tmp_path / "package.xml"
    path.write_bytes(signed(make_package(orgs.p, [orgs.q]), orgs.p))
    ok = subprocess.run(  # noqa: S603
        ["xmlsec1", "--verify", "--trusted-pem", str(shared_pki / "ca.pem"), str(path)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    path.write_bytes(path.read_bytes().replace("triển khai".encode(), b"trien khai"))
    bad = subprocess.run(  # noqa: S603
        ["xmlsec1", "--verify", "--trusted-pem", str(shared_pki / "ca.pem"), str(path)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0


def _broken(orgs, old: bytes, new: bytes) -> bytes:
    data = edxml.to_bytes(edxml.build(make_package(orgs.p, [orgs.q])))
    assert old in data
    data = data.replace(old, new, 1)
    if old.endswith(b">") and new.endswith(b">") and new.split(b" ")[0] != old[:-1]:
        # A renamed start tag: rename its end tag too, so the XML stays well-formed.
        data = data.replace(b"</" + old[1:], b"</" + new[1:].split(b" ")[0] + b">", 1)
    return data


@pytest.mark.parametrize(
    ("old", "new", "element", "rule"),
    [
        (b"</edXML:Subject>", b"</edXML:Subjekt>", None, "well_formed"),
        (
            b"<edXML:Subject>",
            b"<Subject xmlns='x'>",
            "edXMLEnvelope/edXMLHeader/MessageHeader/Subject",
            "namespace",
        ),
        (
            # Fax belongs in From and To, not in MessageHeader itself.
            b"</edXML:Subject>",
            b"</edXML:Subject><edXML:Fax>024</edXML:Fax>",
            "edXMLEnvelope/edXMLHeader/MessageHeader/Fax",
            "unknown",
        ),
        (
            b"<edXML:Priority>1<",
            b"<edXML:Priority>7<",
            "edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo/Priority",
            "range",
        ),
        (
            b"<edXML:PromulgationDate>2026/11/28<",
            b"<edXML:PromulgationDate>28/11/2026<",
            "edXMLEnvelope/edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate",
            "date",
        ),
        (
            b"<edXML:DocumentId>000.00.00.H26,2026/11/28,1/Q",
            b"<edXML:DocumentId>000.00.00.H26,2026/11/28,2/Q",
            "edXMLEnvelope/edXMLHeader/MessageHeader/DocumentId",
            "document_id",
        ),
        (
            b"<edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType>",
            b"<edXML:Bussiness>",
            "edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType",
            "required",
        ),
        (
            b"<edXML:Value>",
            b"<edXML:Value>!!",
            "edXMLEnvelope/AttachmentEncoded/Attachment/Value",
            "base64",
        ),
    ],
)
def test_validation_names_the_element_and_rule(orgs, old, new, element, rule):
    with pytest.raises(edxml.EdxmlError) as info:
        edxml.parse(_broken(orgs, old, new))
    assert info.value.rule == rule
    if element:
        assert info.value.element == element


def test_oversize_attachment_is_refused(orgs):
    data = edxml.to_bytes(edxml.build(make_package(orgs.p, [orgs.q], attachment=b"x" * 5000)))
    with pytest.raises(edxml.EdxmlError) as info:
        edxml.parse(data, max_attachment=4000)
    assert info.value.rule == "size"
    assert edxml.parse(data, max_attachment=5000).attachments[0].data == b"x" * 5000


def test_times_are_vietnam_time(orgs):
    # The standard's times carry no zone: written in Vietnam time, read back as +07:00.
    pkg = make_package(orgs.p, [orgs.q])
    pkg.trace = [edxml.TraceHeader(orgs.p.code, dt.datetime(2026, 11, 28, 2, 30, tzinfo=dt.UTC))]
    data = signed(pkg, orgs.p)
    assert b"<edXML:Timestamp>2026/11/28 09:30:00</edXML:Timestamp>" in data
    [trace] = edxml.parse(data).trace
    assert trace.timestamp.utcoffset() == dt.timedelta(hours=7)
    assert trace.timestamp == dt.datetime(2026, 11, 28, 2, 30, tzinfo=dt.UTC)


def test_every_optional_element_round_trips(orgs):
    pkg = make_package(
        orgs.p,
        [orgs.q],
        business=edxml.Business(
            edxml.NEW,
            "Văn bản mới",
            document_infos=[
                edxml.DocumentInfo("0", "1", [[edxml.Receiver(orgs.q.code, "1")]]),
            ],
            document_id="VB-123",
            staff=[edxml.StaffInfo("Văn phòng", "Trần B", "0900000000", "vt@p.gov.vn")],
            paper=1,
        ),
    )
    pkg.header.from_.organization_in_charge = "Chính phủ"
    pkg.header.from_.fax = "02203000001"
    pkg.header.to[0].fax = "02203000002"
    data = signed(pkg, orgs.p)
    for element in (
        b"<edXML:OrganizationInCharge>",
        b"<edXML:Fax>",
        b"<edXML:BussinessDocumentInfo>",
        b"<edXML:StaffInfo>",
        b"<edXML:Paper>1</edXML:Paper>",
    ):
        assert element in data
    root = etree.fromstring(data)
    [described] = root.iter(f"{{{edxml.NS}}}Attachment")
    assert described.find(f"{{{edxml.NS}}}Description").text == "Quyết định"
    assert edxml.parse(data) == pkg


@pytest.mark.parametrize(
    "doctype",
    [
        b"<!DOCTYPE x>",
        b'<!DOCTYPE x SYSTEM "x.dtd">',
        b'<!DOCTYPE x [<!ENTITY e "e">]>',
    ],
)
def test_a_doctype_is_refused_as_such(orgs, doctype):
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    head, rest = data.split(b"?>", 1)
    with pytest.raises(edxml.EdxmlError) as info:
        edxml.parse(head + b"?>" + doctype + rest.replace("Về việc".encode(), b"&e;", 1))
    assert (info.value.element, info.value.rule) == ("(document)", "doctype")


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b'<?xml version="1.0"?>\n<!-- <a> --><!DOCTYPE x><x/>', True),
        ("<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE x><x/>".encode("utf-16"), True),
        (b"<!DOCTYPE x [ <x>", True),
        (b'<?xml version="1.0"?><x>&lt;!DOCTYPE x&gt;</x>', False),
        (b"<x/>", False),
    ],
)
def test_a_doctype_is_found_in_the_prolog_only(data, found):
    assert edxml.has_doctype(data) is found
