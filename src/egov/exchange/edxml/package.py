"""edXML packages and status packets as Python objects: build (to XML), parse (from XML).

    pkg = Package(header=MessageHeader(...), trace=[...], business=Business(0), attachments=[...])
    xml = build(pkg)                      # lxml element, every element edXML:-prefixed
    signed = sign(xml, organisation)      # enveloped XMLDSig (egov.core.signing.sign_xml)
    pkg2 = parse(signed_bytes)            # validates first; raises EdxmlError naming the element

Dates are ``yyyy/MM/dd``; times ``yyyy/MM/dd HH:mm:ss`` (Vietnam time, no zone, as the standard).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field

from lxml import etree

from egov.core.signing import sign_xml
from egov.core.signing.xml import parse as parse_xml

from .validate import (
    DATE_FORMAT,
    NS,
    PREFIX,
    TIMESTAMP_FORMAT,
    EdxmlError,
    validate_envelope,
    validate_status,
)

NSMAP = {PREFIX: NS}


@dataclass
class Organ:
    organ_id: str
    organ_name: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    website: str = ""


@dataclass
class Signer:
    full_name: str
    competence: str = ""
    position: str = ""


@dataclass
class ResponseFor:
    organ_id: str
    document_id: str
    code: str = ""
    promulgation_date: dt.date | None = None


@dataclass
class MessageHeader:
    from_: Organ
    to: list[Organ]
    code_number: int
    code_notation: str
    promulgation_date: dt.date
    subject: str
    document_type: int = 2  # 1 legal normative document, 2 administrative document
    type_detail: int | None = None
    type_name: str = ""
    place: str = ""
    content: str = ""
    signers: list[Signer] = field(default_factory=list)
    due_date: dt.date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: list[str] = field(default_factory=list)
    confidentiality: int = 0
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: int | None = None
    document_id: str = ""

    @property
    def number_notation(self) -> str:
        return f"{self.code_number}/{self.code_notation}"

    def make_document_id(self) -> str:
        date = self.promulgation_date.strftime(DATE_FORMAT)
        return f"{self.from_.organ_id},{date},{self.number_notation}"


@dataclass
class TraceHeader:
    organ_id: str
    timestamp: dt.datetime


@dataclass
class Replacement:
    document_id: str
    organ_ids: list[str] = field(default_factory=list)


NEW, RECALL, UPDATE, REPLACE = 0, 1, 2, 3


@dataclass
class Business:
    doc_type: int = NEW  # 0 new, 1 recall, 2 update, 3 replace
    reason: str = ""
    receivers: list[str] = field(default_factory=list)
    replacements: list[Replacement] = field(default_factory=list)


@dataclass
class Attachment:
    name: str
    data: bytes | None  # None: not decoded (parse(..., decode=False))
    content_type: str = "application/pdf"
    description: str = ""
    content_id: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Package:
    header: MessageHeader
    trace: list[TraceHeader] = field(default_factory=list)
    business: Business = field(default_factory=Business)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def document_id(self) -> str:
        return self.header.document_id


@dataclass
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass
class Status:
    response_for: ResponseFor
    from_: Organ
    code: str
    timestamp: dt.datetime
    description: str = ""
    staff: StaffInfo | None = None


# --------------------------------------------------------------------------- building


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent, name: str, text=None):
    el = etree.SubElement(parent, _q(name))
    if text is not None:
        el.text = str(text)
    return el


def _opt(parent, name: str, value) -> None:
    if value not in (None, "", []):
        _sub(parent, name, value)


def _date(value: dt.date | None) -> str | None:
    return value.strftime(DATE_FORMAT) if value else None


def _time(value: dt.datetime) -> str:
    return value.strftime(TIMESTAMP_FORMAT)


def _organ(parent, name: str, organ: Organ) -> None:
    el = _sub(parent, name)
    _sub(el, "OrganId", organ.organ_id)
    _opt(el, "OrganName", organ.organ_name)
    _opt(el, "OrganAdd", organ.organ_add)
    _opt(el, "Email", organ.email)
    _opt(el, "Telephone", organ.telephone)
    _opt(el, "Website", organ.website)


def _response_for(parent, rf: ResponseFor) -> None:
    el = _sub(parent, "ResponseFor")
    _sub(el, "OrganId", rf.organ_id)
    _opt(el, "Code", rf.code)
    _opt(el, "PromulgationDate", _date(rf.promulgation_date))
    _sub(el, "DocumentId", rf.document_id)


def trace_element(trace: TraceHeader):
    el = etree.Element(_q("TraceHeader"), nsmap=NSMAP)
    _sub(el, "OrganId", trace.organ_id)
    _sub(el, "Timestamp", _time(trace.timestamp))
    return el


def build(pkg: Package):
    """The package as an (unsigned) lxml element."""
    h = pkg.header
    if not h.document_id:
        h.document_id = h.make_document_id()
    root = etree.Element(_q("edXMLEnvelope"), nsmap=NSMAP)
    header = _sub(root, "edXMLHeader")
    mh = _sub(header, "MessageHeader")
    _organ(mh, "From", h.from_)
    for to in h.to:
        _organ(mh, "To", to)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", h.code_number)
    _sub(code, "CodeNotation", h.code_notation)
    pi = _sub(mh, "PromulgationInfo")
    _opt(pi, "Place", h.place)
    _sub(pi, "PromulgationDate", _date(h.promulgation_date))
    dtype = _sub(mh, "DocumentType")
    _sub(dtype, "Type", h.document_type)
    _opt(dtype, "TypeDetail", h.type_detail)
    _opt(dtype, "TypeName", h.type_name)
    _sub(mh, "Subject", h.subject)
    _opt(mh, "Content", h.content)
    for s in h.signers:
        el = _sub(mh, "SignerInfo")
        _opt(el, "Competence", s.competence)
        _opt(el, "Position", s.position)
        _sub(el, "FullName", s.full_name)
    _opt(mh, "DueDate", _date(h.due_date))
    if h.to_places:
        places = _sub(mh, "ToPlaces")
        for p in h.to_places:
            _sub(places, "Place", p)
    other = _sub(mh, "OtherInfo")
    _sub(other, "Priority", h.priority)
    _opt(other, "SphereOfPromulgation", h.sphere_of_promulgation)
    _opt(other, "TyperNotation", h.typer_notation)
    _opt(other, "PromulgationAmount", h.promulgation_amount)
    _opt(other, "PageAmount", h.page_amount)
    if h.appendixes:
        app = _sub(other, "Appendixes")
        for a in h.appendixes:
            _sub(app, "Appendix", a)
    if h.confidentiality:
        _sub(other, "Confidentiality", h.confidentiality)
    for rf in h.response_for:
        _response_for(mh, rf)
    _opt(mh, "SteeringType", h.steering_type)
    _sub(mh, "DocumentId", h.document_id)

    thl = _sub(header, "TraceHeaderList")
    for t in pkg.trace:
        thl.append(trace_element(t))
    b = _sub(thl, "Bussiness")
    _sub(b, "BussinessDocType", pkg.business.doc_type)
    _opt(b, "BussinessDocReason", pkg.business.reason)
    if pkg.business.receivers:
        rl = _sub(b, "ReceiverList")
        for r in pkg.business.receivers:
            _sub(rl, "OrganId", r)
    if pkg.business.replacements:
        ril = _sub(b, "ReplacementInfoList")
        for rep in pkg.business.replacements:
            ri = _sub(ril, "ReplacementInfo")
            _sub(ri, "DocumentId", rep.document_id)
            if rep.organ_ids:
                ol = _sub(ri, "OrganIdList")
                for o in rep.organ_ids:
                    _sub(ol, "OrganId", o)

    body = _sub(root, "edXMLBody")
    manifest = _sub(body, "Manifest")
    for i, a in enumerate(pkg.attachments, start=1):
        a.content_id = a.content_id or f"cid:{i}"
        ref = _sub(manifest, "Reference")
        _sub(ref, "ContentId", a.content_id)
        _sub(ref, "AttachmentName", a.name)
        _sub(ref, "ContentType", a.content_type)
        _opt(ref, "Description", a.description)
    if pkg.attachments:
        enc = _sub(root, "AttachmentEncoded")
        for a in pkg.attachments:
            att = _sub(enc, "Attachment")
            _sub(att, "ContentId", a.content_id)
            _sub(att, "AttachmentName", a.name)
            _sub(att, "ContentType", a.content_type)
            _sub(att, "ContentTransferEncoded", "base64")
            _sub(att, "Value", base64.b64encode(a.data).decode("ascii"))
    return root


def build_status(status: Status):
    root = etree.Element(_q("Status"), nsmap=NSMAP)
    header = _sub(root, "Header")
    _response_for(header, status.response_for)
    _organ(header, "From", status.from_)
    _sub(header, "StatusCode", status.code)
    _opt(header, "Description", status.description)
    _sub(header, "Timestamp", _time(status.timestamp))
    if status.staff is not None:
        s = _sub(header, "StaffInfo")
        _opt(s, "Department", status.staff.department)
        _opt(s, "Staff", status.staff.staff)
        _opt(s, "Mobile", status.staff.mobile)
        _opt(s, "Email", status.staff.email)
    return root


def sign(root, organisation, *, in_place: bool = False) -> bytes:
    """Sign ``root`` as ``organisation`` (enveloped XMLDSig); UTF-8 bytes with a declaration.
    ``in_place``: the signature goes into ``root`` itself (a tree the caller throws away)."""
    signed = sign_xml(root, organisation, in_place=in_place)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def to_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------- parsing


def load(data: bytes, *, huge: bool = False):
    """Parse bytes safely (no entities, no network); malformed XML is an EdxmlError.

    ``huge``: the caller capped the size (text nodes may then exceed libxml2's 10 MB)."""
    try:
        # Comments are not signed: one inside a signed text would cut what .text reads.
        return parse_xml(data, huge=huge, comments=False)
    except etree.XMLSyntaxError as exc:
        raise EdxmlError("(document)", "well_formed", f"not well-formed XML: {exc}") from None


def _x(el, path: str):
    parts = path.split("/")
    for p in parts:
        if el is None:
            return None
        el = el.find(_q(p))
    return el


def _text(el, path: str) -> str:
    found = _x(el, path)
    return (found.text or "").strip() if found is not None else ""


def _all(el, path: str):
    *parents, last = path.split("/")
    base = _x(el, "/".join(parents)) if parents else el
    return [] if base is None else base.findall(_q(last))


def _pdate(value: str) -> dt.date | None:
    return dt.datetime.strptime(value, DATE_FORMAT).date() if value else None


def _ptime(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, TIMESTAMP_FORMAT)


def _pint(value: str) -> int | None:
    return int(value) if value else None


def _porgan(el) -> Organ:
    return Organ(
        organ_id=_text(el, "OrganId"),
        organ_name=_text(el, "OrganName"),
        organ_add=_text(el, "OrganAdd"),
        email=_text(el, "Email"),
        telephone=_text(el, "Telephone"),
        website=_text(el, "Website"),
    )


def _presponse(el) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(el, "OrganId"),
        document_id=_text(el, "DocumentId"),
        code=_text(el, "Code"),
        promulgation_date=_pdate(_text(el, "PromulgationDate")),
    )


def parse(data, *, max_attachment: int | None = None, decode: bool = True) -> Package:
    """Validate and read a package (bytes or an element). Raises :class:`EdxmlError`.

    ``decode=False``: the attachments' ``data`` is None (validation still checks their base64);
    for the hub, which passes packages on as they are: decoding 100 kB of base64 costs ~0.3 ms."""
    root = load(data) if isinstance(data, bytes | str) else data
    validate_envelope(root, max_attachment=max_attachment)
    mh = _x(root, "edXMLHeader/MessageHeader")
    header = MessageHeader(
        from_=_porgan(_x(mh, "From")),
        to=[_porgan(e) for e in _all(mh, "To")],
        code_number=int(_text(mh, "Code/CodeNumber")),
        code_notation=_text(mh, "Code/CodeNotation"),
        place=_text(mh, "PromulgationInfo/Place"),
        promulgation_date=_pdate(_text(mh, "PromulgationInfo/PromulgationDate")),
        document_type=int(_text(mh, "DocumentType/Type")),
        type_detail=_pint(_text(mh, "DocumentType/TypeDetail")),
        type_name=_text(mh, "DocumentType/TypeName"),
        subject=_text(mh, "Subject"),
        content=_text(mh, "Content"),
        signers=[
            Signer(_text(e, "FullName"), _text(e, "Competence"), _text(e, "Position"))
            for e in _all(mh, "SignerInfo")
        ],
        due_date=_pdate(_text(mh, "DueDate")),
        to_places=[(e.text or "").strip() for e in _all(mh, "ToPlaces/Place")],
        priority=int(_text(mh, "OtherInfo/Priority") or 0),
        sphere_of_promulgation=_text(mh, "OtherInfo/SphereOfPromulgation"),
        typer_notation=_text(mh, "OtherInfo/TyperNotation"),
        promulgation_amount=_pint(_text(mh, "OtherInfo/PromulgationAmount")),
        page_amount=_pint(_text(mh, "OtherInfo/PageAmount")),
        appendixes=[(e.text or "").strip() for e in _all(mh, "OtherInfo/Appendixes/Appendix")],
        confidentiality=int(_text(mh, "OtherInfo/Confidentiality") or 0),
        response_for=[_presponse(e) for e in _all(mh, "ResponseFor")],
        steering_type=_pint(_text(mh, "SteeringType")),
        document_id=_text(mh, "DocumentId"),
    )
    if header.document_id != header.make_document_id():
        raise EdxmlError(
            "edXMLEnvelope/edXMLHeader/MessageHeader/DocumentId",
            "document_id",
            f"{header.document_id!r} does not match From, PromulgationDate and Code "
            f"({header.make_document_id()!r})",
        )
    thl = _x(root, "edXMLHeader/TraceHeaderList")
    trace = [
        TraceHeader(_text(e, "OrganId"), _ptime(_text(e, "Timestamp")))
        for e in _all(thl, "TraceHeader")
    ]
    b = _x(thl, "Bussiness")
    business = Business(
        doc_type=int(_text(b, "BussinessDocType")),
        reason=_text(b, "BussinessDocReason"),
        receivers=[(e.text or "").strip() for e in _all(b, "ReceiverList/OrganId")],
        replacements=[
            Replacement(
                _text(e, "DocumentId"),
                [(o.text or "").strip() for o in _all(e, "OrganIdList/OrganId")],
            )
            for e in _all(b, "ReplacementInfoList/ReplacementInfo")
        ],
    )
    described = {_text(r, "ContentId"): r for r in _all(root, "edXMLBody/Manifest/Reference")}
    attachments = []
    for i, e in enumerate(_all(root, "AttachmentEncoded/Attachment"), start=1):
        cid = _text(e, "ContentId")
        path = f"edXMLEnvelope/AttachmentEncoded/Attachment[{i}]"
        if cid not in described:
            raise EdxmlError(f"{path}/ContentId", "manifest", f"{cid!r} is not in the Manifest")
        attachments.append(
            Attachment(
                name=_text(e, "AttachmentName"),
                data=(
                    base64.b64decode("".join((_x(e, "Value").text or "").split()))
                    if decode
                    else None
                ),
                content_type=_text(e, "ContentType"),
                description=_text(described.pop(cid), "Description"),
                content_id=cid,
            )
        )
    if described:
        raise EdxmlError(
            "edXMLEnvelope/edXMLBody/Manifest/Reference/ContentId",
            "manifest",
            f"no attachment for {', '.join(sorted(described))}",
        )
    return Package(header=header, trace=trace, business=business, attachments=attachments)


def parse_status(data) -> Status:
    root = load(data) if isinstance(data, bytes | str) else data
    validate_status(root)
    h = _x(root, "Header")
    staff_el = _x(h, "StaffInfo")
    return Status(
        response_for=_presponse(_x(h, "ResponseFor")),
        from_=_porgan(_x(h, "From")),
        code=_text(h, "StatusCode"),
        timestamp=_ptime(_text(h, "Timestamp")),
        description=_text(h, "Description"),
        staff=None
        if staff_el is None
        else StaffInfo(
            _text(staff_el, "Department"),
            _text(staff_el, "Staff"),
            _text(staff_el, "Mobile"),
            _text(staff_el, "Email"),
        ),
    )
