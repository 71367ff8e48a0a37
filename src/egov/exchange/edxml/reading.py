"""Reading edXML: bytes to :mod:`.package`'s objects, safely (no DOCTYPE, no entities, no
network), validating first (:mod:`.validate`); any namespace prefix is read.

    pkg = parse(signed_bytes)   # raises EdxmlError naming the element and the rule
"""

from __future__ import annotations

import base64
import datetime as dt

from django.utils.translation import gettext as _
from lxml import etree

from egov.core.signing.xml import parse as parse_xml

from .package import (
    VN,
    Attachment,
    Business,
    DocumentInfo,
    MessageHeader,
    Organ,
    Package,
    Receiver,
    Replacement,
    ResponseFor,
    Signer,
    StaffInfo,
    Status,
    TraceHeader,
    _q,
)
from .validate import (
    DATE_FORMAT,
    TIMESTAMP_FORMAT,
    EdxmlError,
    validate_envelope,
    validate_status,
)


def load(data: bytes, *, huge: bool = False):
    """Parse bytes safely (no entities, no network); malformed XML is an EdxmlError, and so is
    any DOCTYPE (internal or external subset): the standard has none, a signature does not
    cover one (c14n drops it), and an entity declaration is how XXE starts.

    ``huge``: the caller capped the size (text nodes may then exceed libxml2's 10 MB)."""
    try:
        # Comments are not signed: one inside a signed text would cut what .text reads.
        root = parse_xml(data, huge=huge, comments=False)
    except etree.XMLSyntaxError as exc:
        if has_doctype(data):
            raise _doctype() from None
        raise EdxmlError(
            "(document)", "well_formed", _("Not well-formed XML: %(error)s") % {"error": exc}
        ) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _doctype()
    return root


def _doctype() -> EdxmlError:
    return EdxmlError(
        "(document)", "doctype", _("A DOCTYPE is not accepted (no DTD, no entities).")
    )


def has_doctype(data: bytes | str) -> bool:
    """A DOCTYPE declaration in the prolog (the only place one may be), read token by token up
    to the document element: cheap on a 40 MB package, and a comment cannot hide one."""
    head = data if isinstance(data, bytes) else data.encode("utf-8")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte order mark
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    elif head[:3] == b"\xef\xbb\xbf":
        head = head[3:]
    at = 0
    while True:
        while head[at : at + 1] in (b" ", b"\t", b"\r", b"\n"):
            at += 1
        if head.startswith(b"<!DOCTYPE", at):
            return True
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if head.startswith(opening, at):
                end = head.find(closing, at + len(opening))
                if end < 0:
                    return False
                at = end + len(closing)
                break
        else:
            return False  # the document element, or not XML at all


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
    return dt.datetime.strptime(value, TIMESTAMP_FORMAT).replace(tzinfo=VN)


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
        organization_in_charge=_text(el, "OrganizationInCharge"),
        fax=_text(el, "Fax"),
    )


def _pstaff(el) -> StaffInfo:
    return StaffInfo(
        _text(el, "Department"), _text(el, "Staff"), _text(el, "Mobile"), _text(el, "Email")
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
            _("%(value)r does not match From, PromulgationDate and Code (%(expected)r).")
            % {"value": header.document_id, "expected": header.make_document_id()},
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
            for ril in _all(b, "ReplacementInfoList")
            for e in _all(ril, "ReplacementInfo")
        ],
        document_infos=[
            DocumentInfo(
                _text(e, "DocumentInfo"),
                _text(e, "DocumentReceiver"),
                [
                    [
                        Receiver(_text(r, "OrganId"), _text(r, "ReceiverType"))
                        for r in _all(rl, "Receiver")
                    ]
                    for rl in _all(e, "ReceiverList")
                ],
            )
            for e in _all(b, "BussinessDocumentInfo")
        ],
        document_id=_text(b, "DocumentId"),
        staff=[_pstaff(e) for e in _all(b, "StaffInfo")],
        paper=_pint(_text(b, "Paper")),
    )
    described = {_text(r, "ContentId"): r for r in _all(root, "edXMLBody/Manifest/Reference")}
    attachments = []
    for i, e in enumerate(_all(root, "AttachmentEncoded/Attachment"), start=1):
        cid = _text(e, "ContentId")
        path = f"edXMLEnvelope/AttachmentEncoded/Attachment[{i}]"
        if cid not in described:
            raise EdxmlError(
                f"{path}/ContentId",
                "manifest",
                _("%(cid)r is not in the Manifest.") % {"cid": cid},
            )
        attachments.append(
            Attachment(
                name=_text(e, "AttachmentName"),
                data=(
                    base64.b64decode("".join((_x(e, "Value").text or "").split()))
                    if decode
                    else None
                ),
                content_type=_text(e, "ContentType"),
                description=_text(described.pop(cid), "Description") or _text(e, "Description"),
                content_id=cid,
            )
        )
    if described:
        raise EdxmlError(
            "edXMLEnvelope/edXMLBody/Manifest/Reference/ContentId",
            "manifest",
            _("No attachment for %(cids)s.") % {"cids": ", ".join(sorted(described))},
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
        staff=None if staff_el is None else _pstaff(staff_el),
    )
