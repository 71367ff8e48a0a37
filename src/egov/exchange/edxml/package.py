"""edXML packages and status packets as Python objects, and building them (to XML); reading
them back is :mod:`.reading`.

    pkg = Package(header=MessageHeader(...), trace=[...], business=Business(0), attachments=[...])
    xml = build(pkg)                      # lxml element, every element edXML:-prefixed
    signed = sign(xml, organisation)      # enveloped XMLDSig (egov.core.signing.sign_xml)
    pkg2 = parse(signed_bytes)            # validates first; raises EdxmlError naming the element

Dates are ``yyyy/MM/dd``; times ``yyyy/MM/dd HH:mm:ss``. The standard's times carry no zone:
they are Vietnam time (UTC+07:00, no daylight saving). Parsed times are aware, in :data:`VN`;
aware times are written converted to it, naive ones are taken as Vietnam time already.

Any namespace prefix (or a default namespace) is read; what egov builds is ``edXML:``-prefixed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field

from lxml import etree

from egov.core.signing import sign_xml

from .validate import (
    DATE_FORMAT,
    NS,
    PREFIX,
    TIMESTAMP_FORMAT,
)

NSMAP = {PREFIX: NS}
VN = dt.timezone(dt.timedelta(hours=7), "ICT")


@dataclass
class Organ:
    organ_id: str
    organ_name: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    website: str = ""
    organization_in_charge: str = ""  # the body in charge of it (cơ quan chủ quản)
    fax: str = ""


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
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass
class Receiver:
    organ_id: str = ""
    receiver_type: str = ""


@dataclass
class DocumentInfo:
    """Bussiness/BussinessDocumentInfo: what an update changes (DocumentInfo) and for whom."""

    document_info: str = ""
    document_receiver: str = ""
    receivers: list[list[Receiver]] = field(default_factory=list)  # one list per ReceiverList


@dataclass
class Business:
    doc_type: int = NEW  # 0 new, 1 recall, 2 update, 3 replace
    reason: str = ""
    receivers: list[str] = field(default_factory=list)
    replacements: list[Replacement] = field(default_factory=list)
    document_infos: list[DocumentInfo] = field(default_factory=list)
    document_id: str = ""  # the sender's own id of the document, free text
    staff: list[StaffInfo] = field(default_factory=list)
    paper: int | None = None  # 1: a paper copy is sent too


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
    if value.tzinfo is not None:
        value = value.astimezone(VN)
    return value.strftime(TIMESTAMP_FORMAT)


def _organ(parent, name: str, organ: Organ) -> None:
    el = _sub(parent, name)
    _sub(el, "OrganId", organ.organ_id)
    _opt(el, "OrganizationInCharge", organ.organization_in_charge)
    _opt(el, "OrganName", organ.organ_name)
    _opt(el, "OrganAdd", organ.organ_add)
    _opt(el, "Email", organ.email)
    _opt(el, "Telephone", organ.telephone)
    _opt(el, "Fax", organ.fax)
    _opt(el, "Website", organ.website)


def _staff(parent, staff: StaffInfo) -> None:
    s = _sub(parent, "StaffInfo")
    _opt(s, "Department", staff.department)
    _opt(s, "Staff", staff.staff)
    _opt(s, "Mobile", staff.mobile)
    _opt(s, "Email", staff.email)


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
    for info in pkg.business.document_infos:
        bdi = _sub(b, "BussinessDocumentInfo")
        _opt(bdi, "DocumentInfo", info.document_info)
        _opt(bdi, "DocumentReceiver", info.document_receiver)
        for receivers in info.receivers:
            rl = _sub(bdi, "ReceiverList")
            for r in receivers:
                re_ = _sub(rl, "Receiver")
                _opt(re_, "ReceiverType", r.receiver_type)
                _opt(re_, "OrganId", r.organ_id)
    _opt(b, "DocumentId", pkg.business.document_id)
    for staff in pkg.business.staff:
        _staff(b, staff)
    _opt(b, "Paper", pkg.business.paper)
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
            _opt(att, "Description", a.description)
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
        _staff(header, status.staff)
    return root


def sign(root, organisation, *, in_place: bool = False) -> bytes:
    """Sign ``root`` as ``organisation`` (enveloped XMLDSig); UTF-8 bytes with a declaration.
    ``in_place``: the signature goes into ``root`` itself (a tree the caller throws away)."""
    signed = sign_xml(root, organisation, in_place=in_place)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def to_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
