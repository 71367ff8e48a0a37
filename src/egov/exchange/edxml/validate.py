"""Structural validation of edXML (QCVN 102:2016) packages and status packets.

Every failure names the element (a path such as ``edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/
OrganId``) and the rule that failed (``namespace``, ``required``, ``repeated``, ``unknown``,
``doctype``, ``date``, ``timestamp``, ``integer``, ``range``, ``pattern``, ``base64``, ``size``,
``document_id``, ``well_formed``). Messages are translated (gettext) in the request's language.
Validation runs before anything is stored.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"  # what egov writes; any prefix (or none) is read
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"
ORGAN_ID_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[GH]\d{2}$")
# <OrganId>,<yyyy/MM/dd>,<number/notation>, e.g. 000.00.00.H26,2026/11/28,12/QĐ-UBND
DOCUMENT_ID_RE = re.compile(r"^(\d{3}\.\d{2}\.\d{2}\.[GH]\d{2}),(\d{4}/\d{2}/\d{2}),(\d+)/(\S+)$")
STATUS_CODES = ("01", "02", "03", "04", "05", "06", "13", "15", "16")


class EdxmlError(ValueError):
    """A package or status packet broke a rule; ``element`` and ``rule`` say where and which."""

    def __init__(self, element: str, rule: str, message: str):
        self.element = element
        self.rule = rule
        self.message = message
        super().__init__(f"{element}: {rule}: {message}")

    def as_dict(self) -> dict:
        return {"element": self.element, "rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Spec:
    name: str
    min: int = 1
    max: int | None = 1  # None: unbounded
    kind: str = "text"  # text, date, timestamp, int, organ_id, document_id, base64, status, group
    lo: int | None = None
    hi: int | None = None
    children: tuple[Spec, ...] = field(default_factory=tuple)


def _g(name, *children, min=1, max=1):  # noqa: A002 (mirrors the XSD words)
    return Spec(name, min, max, "group", children=tuple(children))


def _t(name, kind="text", min=0, max=1, lo=None, hi=None):  # noqa: A002
    return Spec(name, min, max, kind, lo, hi)


# Where the element list comes from. No XSD of QCVN 102:2016 is published in any source we
# could search; the element names and their nesting below are checked against the implementations
# of the standard that are public:
#   [VNPT] the edXML SDK of the national document exchange axis (com.vnpt.xml.*), as its model is
#          read element by element in github.com/tungsfer512/edxml-convert,
#          api/src/main/java/vn/ript/api/utils/EdXMLParser.java (Organization, MessageHeader,
#          TraceHeaderList, Bussiness, BussinessDocumentInfo, ReceiverList/Receiver, StaffInfo,
#          Paper, ReplacementInfoList, Manifest/Reference, Attachment, Status);
#   [RIPT] the same standard's numbering (1.1 From ... 1.14 DocumentId, 2.1 TraceHeader, 2.2.1
#          BussinessDocType ... 2.2.6 Paper, 2.2.8 ReplacementInfoList) in the entity of the
#          vn.ript ssadapter (model/document/Document.java, same authors);
#   [BKAV] Bkav's edoc hub validator, com.bkav.edoc.service.commonutil.Checker (From/To with
#          OrganizationInCharge and Fax; TraceHeaderList; the Bussiness entity with Paper and
#          StaffInfo);
#   [SDK-NET] the sample edoc_new.edxml of the .NET SDK as a TypeScript builder reproduces it
#          (From/To OrganizationInCharge, DocumentType/TypeDetail, Bussiness/StaffInfo and Paper,
#          Reference/Description, Attachment/Description).
# Cardinality: required where those validators require the element (OrganId, To, Code, Subject,
# DocumentId, TraceHeader's two fields, BussinessDocType, the Reference and Attachment fields);
# repeated where the SDK's model holds a list (To, SignerInfo, ResponseFor, TraceHeader, Place,
# Appendix, BussinessDocumentInfo, ReceiverList, Receiver, StaffInfo, ReplacementInfoList,
# ReplacementInfo, OrganId in OrganIdList, Reference, Attachment); optional otherwise.
# Elements marked "egov" have no public source: egov wrote them before this list was checked and
# packages already exchanged carry them.


def _organ(name, min=1, max=1):  # noqa: A002
    # [VNPT] Organization, [BKAV] checkFrom/checkTo.
    return _g(
        name,
        _t("OrganId", "organ_id", min=1),
        _t("OrganizationInCharge"),
        _t("OrganName"),
        _t("OrganAdd"),
        _t("Email"),
        _t("Telephone"),
        _t("Fax"),
        _t("Website"),
        min=min,
        max=max,
    )


def _staff_info(min=0, max=1):  # noqa: A002
    # [VNPT] StaffInfo (in Bussiness and in a Status header).
    return _g(
        "StaffInfo", _t("Department"), _t("Staff"), _t("Mobile"), _t("Email"), min=min, max=max
    )


_RESPONSE_FOR = _g(
    "ResponseFor",  # [VNPT] MessageHeader.getResponseFor(): a list; [RIPT] 1.12
    _t("OrganId", "organ_id", min=1),
    _t("Code"),
    _t("PromulgationDate", "date"),
    _t("DocumentId", "document_id", min=1),
    min=0,
    max=None,
)

MESSAGE_HEADER = _g(
    "MessageHeader",  # [RIPT] 1.1-1.14, [VNPT] ed.header.MessageHeader
    _organ("From"),
    _organ("To", max=None),
    _g("Code", _t("CodeNumber", "int", min=1, lo=1), _t("CodeNotation", min=1)),
    _g("PromulgationInfo", _t("Place"), _t("PromulgationDate", "date", min=1)),
    _g(
        "DocumentType",
        _t("Type", "int", min=1, lo=1, hi=2),
        _t("TypeDetail", "int", lo=0),  # [SDK-NET]
        _t("TypeName"),
    ),
    _t("Subject", min=1),
    _t("Content"),
    _g(
        "SignerInfo",
        _t("Competence"),
        _t("Position"),
        _t("FullName", min=1),
        min=0,
        max=None,
    ),
    _t("DueDate", "date"),
    _g("ToPlaces", _t("Place", max=None), min=0),
    _g(
        "OtherInfo",
        _t("Priority", "int", min=1, lo=0, hi=4),
        _t("SphereOfPromulgation"),
        _t("TyperNotation"),
        _t("PromulgationAmount", "int", lo=0),
        _t("PageAmount", "int", lo=0),
        _g("Appendixes", _t("Appendix", max=None), min=0),
        # egov: 0 ordinary; 1 confidential, 2 secret, 3 top secret (độ mật): the hub refuses 1-3.
        _t("Confidentiality", "int", lo=0, hi=3),
        min=0,
    ),
    _RESPONSE_FOR,
    _t("SteeringType", "int", lo=0, hi=2),
    _t("DocumentId", "document_id", min=1),
)

TRACE_HEADER_LIST = _g(
    "TraceHeaderList",  # [RIPT] 2.1-2.2, [VNPT] base.header.TraceHeaderList
    _g(
        "TraceHeader",
        _t("OrganId", "organ_id", min=1),
        _t("Timestamp", "timestamp", min=1),
        max=None,
    ),
    _g(
        "Bussiness",  # the standard's spelling
        _t("BussinessDocType", "int", min=1, lo=0, hi=3),
        _t("BussinessDocReason"),
        _g(
            "BussinessDocumentInfo",  # [VNPT], [RIPT] 2.2.3: what an update changes, and for whom
            _t("DocumentInfo"),
            _t("DocumentReceiver"),
            _g(
                "ReceiverList",
                _g("Receiver", _t("ReceiverType"), _t("OrganId", "organ_id"), min=0, max=None),
                min=0,
                max=None,
            ),
            min=0,
            max=None,
        ),
        _t("DocumentId"),  # [VNPT], [RIPT] 2.2.4: the sender's own id, free text
        _staff_info(max=None),  # [VNPT], [RIPT] 2.2.5, [BKAV]
        _t("Paper", "int", lo=0),  # [VNPT], [RIPT] 2.2.6, [BKAV]: paper copy sent too (1) or not
        # egov: the recipients of an update, as OrganIds (the standard's are in
        # BussinessDocumentInfo/ReceiverList/Receiver).
        _g("ReceiverList", _t("OrganId", "organ_id", max=None), min=0),
        _g(
            "ReplacementInfoList",  # [VNPT], [RIPT] 2.2.8
            _g(
                "ReplacementInfo",
                _t("DocumentId", "document_id", min=1),
                _g("OrganIdList", _t("OrganId", "organ_id", max=None), min=0),
                max=None,
            ),
            min=0,
            max=None,
        ),
        min=1,
    ),
)

ENVELOPE = _g(
    "edXMLEnvelope",
    _g("edXMLHeader", MESSAGE_HEADER, TRACE_HEADER_LIST),
    _g(
        "edXMLBody",
        _g(
            "Manifest",  # [VNPT] base.body.Manifest
            _g(
                "Reference",
                _t("ContentId", min=1),
                _t("AttachmentName", min=1),
                _t("ContentType", min=1),
                _t("Description"),
                max=None,
                min=0,
            ),
        ),
    ),
    _g(
        "AttachmentEncoded",
        _g(
            "Attachment",  # [VNPT] base.attachment.Attachment, [SDK-NET]
            _t("ContentId", min=1),
            _t("AttachmentName", min=1),
            _t("ContentType", min=1),
            _t("Description"),
            _t("ContentTransferEncoded", min=1),
            _t("Value", "base64", min=1),
            max=None,
            min=0,
        ),
        min=0,
    ),
)

STATUS = _g(
    "Status",  # [VNPT] status.header.MessageStatus
    _g(
        "Header",
        _g(
            "ResponseFor",
            _t("OrganId", "organ_id", min=1),
            _t("Code"),
            _t("PromulgationDate", "date"),
            _t("DocumentId", "document_id", min=1),
        ),
        _organ("From"),
        _t("StatusCode", "status", min=1),
        _t("Description"),
        _t("Timestamp", "timestamp", min=1),
        _staff_info(),
    ),
)


# Where an enveloped ds:Signature may sit: last in the document element (what egov writes), or in
# edXMLHeader, after TraceHeaderList, where VNPT's SDK puts it (its sample edoc_new.edxml, as
# shipped with the VXP Java SDK example: github.com/PVN-Organization/API-Gateway-iOffice,
# "JDK 1.8/SDKVXP_Example/resources/edoc_new.edxml"; its model has the Signature in the header:
# com.vnpt.xml.base.header.Signature, Header.getSignature(), as edxml-convert's EdXMLParser reads
# it). Be liberal in form, strict in meaning: the
# same one signature over the whole document (Reference URI="", enveloped-signature transform)
# wherever it sits, so a verifier like xmlsec1 checks both alike; a second signature, or one
# anywhere else, is refused (at the root, or with its path as not an element of the standard).
SIGNATURE_PARENTS = ("edXMLEnvelope", "edXMLHeader", "Status")


def signatures(root) -> list[tuple[str, object]]:
    """The enveloped signatures of a package or status packet where the standard's users put
    them, each with its parent path for the verifier (``./`` or ``./{ns}edXMLHeader/``)."""
    found = [("./", c) for c in root if isinstance(c.tag, str) and c.tag == f"{{{DS_NS}}}Signature"]
    for header in root.findall(f"{{{NS}}}edXMLHeader"):
        found += [
            (f"./{{{NS}}}edXMLHeader/", c)
            for c in header
            if isinstance(c.tag, str) and c.tag == f"{{{DS_NS}}}Signature"
        ]
    return found


# The .NET SDK's sample (20190108_net_sdk_example, CodeXamplesEdXML/File_EdXML/edoc_new.edxml; the
# same file ships with the VXP Java SDK example cited above) wraps the package in <edXML> and puts
# AttachmentEncoded outside edXMLEnvelope, the attachment's bytes in ContentTransferEncoded.
# Refused, not read: (1) <edXML> is in no model of the standard we could read (VNPT's Ed is a
# header, a body and attachments, nothing around them: edxml-convert's EdXMLParser; Bkav's Checker;
# the element list above), so its meaning is a guess; (2) there ContentTransferEncoded holds the
# data while the standard's element names the encoding (base64) and Value holds the data; (3) its
# Signature is in the edXML namespace, not XMLDSig, over RSA-SHA1 with a truncated certificate: a
# placeholder, and an enveloped signature over the wrapper would not cover the envelope unwrapped.
# The sender is told to send edXMLEnvelope as the document element with AttachmentEncoded inside it.
WRAPPER = "edXML"


def _check_name(el, path: str) -> str:
    # The namespace, not the prefix: a prefix carries no meaning in XML, and other
    # implementations write ns2: (JAXB's default) or a default namespace.
    qname = etree.QName(el)
    if qname.namespace != NS:
        raise EdxmlError(
            path or qname.localname,
            "namespace",
            _("Element <%(name)s> is in namespace %(found)s; the standard's is %(ns)s.")
            % {"name": qname.localname, "found": qname.namespace or _("(none)"), "ns": NS},
        )
    return qname.localname


def _check_text(spec: Spec, el, path: str, max_attachment: int | None) -> None:
    text = (el.text or "").strip()
    if len(el):
        if any(isinstance(c, etree._Entity) for c in el):
            # Entities come only from a DOCTYPE, which load() refuses; this is the last guard.
            raise EdxmlError(path, "doctype", _("Entities and DOCTYPE are not accepted."))
        raise EdxmlError(path, "text", _("Must hold text, not elements."))
    if spec.min and not text and spec.kind != "base64":
        raise EdxmlError(path, "required", _("Must not be empty."))
    if not text:
        return
    if spec.kind == "date":
        try:
            dt.datetime.strptime(text, DATE_FORMAT)
        except ValueError:
            raise EdxmlError(
                path, "date", _("%(value)r is not a date yyyy/MM/dd.") % {"value": text}
            ) from None
    elif spec.kind == "timestamp":
        try:
            dt.datetime.strptime(text, TIMESTAMP_FORMAT)
        except ValueError:
            raise EdxmlError(
                path,
                "timestamp",
                _("%(value)r is not a time yyyy/MM/dd HH:mm:ss.") % {"value": text},
            ) from None
    elif spec.kind == "int":
        if not re.fullmatch(r"-?\d+", text):
            raise EdxmlError(
                path, "integer", _("%(value)r is not a whole number.") % {"value": text}
            )
        value = int(text)
        if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
            raise EdxmlError(
                path,
                "range",
                _("%(value)s is outside %(lo)s..%(hi)s.")
                % {"value": value, "lo": spec.lo, "hi": "" if spec.hi is None else spec.hi},
            )
    elif spec.kind == "organ_id":
        if not ORGAN_ID_RE.match(text):
            raise EdxmlError(
                path, "pattern", _("%(value)r is not an organisation code.") % {"value": text}
            )
    elif spec.kind == "document_id":
        m = DOCUMENT_ID_RE.match(text)
        if not m:
            raise EdxmlError(
                path,
                "document_id",
                _("%(value)r is not <OrganId>,<yyyy/MM/dd>,<number/notation>.") % {"value": text},
            )
        try:
            dt.datetime.strptime(m.group(2), DATE_FORMAT)
        except ValueError:
            raise EdxmlError(
                path, "document_id", _("%(value)r is not a date.") % {"value": m.group(2)}
            ) from None
    elif spec.kind == "status":
        if text not in STATUS_CODES:
            raise EdxmlError(
                path,
                "range",
                _("%(value)r is not one of %(codes)s.")
                % {"value": text, "codes": ", ".join(STATUS_CODES)},
            )
    elif spec.kind == "base64":
        if max_attachment is not None and len(text) * 3 // 4 > max_attachment + 3:
            raise EdxmlError(
                path,
                "size",
                _("The attachment is larger than %(n)s bytes.") % {"n": max_attachment},
            )
        try:
            # strict_mode: what b64decode(validate=True) refuses, without its regex pass.
            binascii.a2b_base64(text, strict_mode=True)
        except (binascii.Error, ValueError):
            # Line breaks are allowed in base64 text: try again without whitespace.
            try:
                binascii.a2b_base64("".join(text.split()), strict_mode=True)
            except (binascii.Error, ValueError):
                raise EdxmlError(path, "base64", _("Is not base64.")) from None


def _walk(spec: Spec, el, path: str, max_attachment: int | None) -> None:
    if spec.kind != "group":
        _check_text(spec, el, path, max_attachment)
        return
    counts: dict[str, int] = {}
    allowed = {c.name: c for c in spec.children}
    for child in el:
        if not isinstance(child.tag, str):
            if isinstance(child, etree._Entity):
                raise EdxmlError(path, "doctype", _("Entities and DOCTYPE are not accepted."))
            continue  # comments and processing instructions
        if (
            spec.name in SIGNATURE_PARENTS
            and etree.QName(child).namespace == DS_NS
            and etree.QName(child).localname == ("Signature")
        ):
            continue
        name = _check_name(child, f"{path}/{etree.QName(child).localname}")
        counts[name] = counts.get(name, 0) + 1
        child_path = f"{path}/{name}" if counts[name] == 1 else f"{path}/{name}[{counts[name]}]"
        child_spec = allowed.get(name)
        if child_spec is None:
            raise EdxmlError(
                child_path,
                "unknown",
                _("<%(name)s> is not an element of <%(parent)s> in QCVN 102:2016.")
                % {"name": name, "parent": spec.name},
            )
        if child_spec.max is not None and counts[name] > child_spec.max:
            raise EdxmlError(
                child_path,
                "repeated",
                _("<%(name)s> may appear at most %(n)s time(s).")
                % {"name": name, "n": child_spec.max},
            )
        _walk(child_spec, child, child_path, max_attachment)
    for child_spec in spec.children:
        if counts.get(child_spec.name, 0) < child_spec.min:
            raise EdxmlError(
                f"{path}/{child_spec.name}",
                "required",
                _("<%(parent)s> needs <%(name)s>.")
                % {"parent": spec.name, "name": child_spec.name},
            )


def _validate(spec: Spec, root, max_attachment: int | None) -> None:
    name = _check_name(root, "")
    if name == WRAPPER and spec.name == "edXMLEnvelope":
        raise EdxmlError(
            name,
            "root",
            _(
                "The document element must be <edXMLEnvelope>, with AttachmentEncoded inside "
                "it: the <edXML> wrapper with AttachmentEncoded outside the envelope (the .NET "
                "SDK's sample) is not part of QCVN 102:2016."
            ),
        )
    if name != spec.name:
        raise EdxmlError(
            name, "root", _("The document element must be <%(name)s>.") % {"name": spec.name}
        )
    _walk(spec, root, name, max_attachment)


def validate_envelope(root, *, max_attachment: int | None = None) -> None:
    """Raise :class:`EdxmlError` at the first broken rule of a package."""
    _validate(ENVELOPE, root, max_attachment)


def validate_status(root) -> None:
    """Raise :class:`EdxmlError` at the first broken rule of a status packet."""
    _validate(STATUS, root, None)
