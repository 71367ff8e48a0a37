"""Structural validation of edXML (QCVN 102:2016) packages and status packets.

Every failure names the element (a path such as ``edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/
OrganId``) and the rule that failed (``namespace``, ``prefix``, ``required``, ``repeated``,
``unknown``, ``date``, ``timestamp``, ``integer``, ``range``, ``pattern``, ``base64``, ``size``,
``document_id``, ``well_formed``). Validation runs before anything is stored.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
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


def _organ(name, min=1, max=1):  # noqa: A002
    return _g(
        name,
        _t("OrganId", "organ_id", min=1),
        _t("OrganName"),
        _t("OrganAdd"),
        _t("Email"),
        _t("Telephone"),
        _t("Website"),
        min=min,
        max=max,
    )


_RESPONSE_FOR = _g(
    "ResponseFor",
    _t("OrganId", "organ_id", min=1),
    _t("Code"),
    _t("PromulgationDate", "date"),
    _t("DocumentId", "document_id", min=1),
    min=0,
    max=None,
)

MESSAGE_HEADER = _g(
    "MessageHeader",
    _organ("From"),
    _organ("To", max=None),
    _g("Code", _t("CodeNumber", "int", min=1, lo=1), _t("CodeNotation", min=1)),
    _g("PromulgationInfo", _t("Place"), _t("PromulgationDate", "date", min=1)),
    _g(
        "DocumentType",
        _t("Type", "int", min=1, lo=1, hi=2),
        _t("TypeDetail", "int", lo=0),
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
        # 0 ordinary; 1 confidential, 2 secret, 3 top secret (độ mật): the hub refuses 1-3.
        _t("Confidentiality", "int", lo=0, hi=3),
        min=0,
    ),
    _RESPONSE_FOR,
    _t("SteeringType", "int", lo=0, hi=2),
    _t("DocumentId", "document_id", min=1),
)

TRACE_HEADER_LIST = _g(
    "TraceHeaderList",
    _g(
        "TraceHeader",
        _t("OrganId", "organ_id", min=1),
        _t("Timestamp", "timestamp", min=1),
        max=None,
    ),
    _g(
        "Bussiness",
        _t("BussinessDocType", "int", min=1, lo=0, hi=3),
        _t("BussinessDocReason"),
        _g("ReceiverList", _t("OrganId", "organ_id", max=None), min=0),
        _g(
            "ReplacementInfoList",
            _g(
                "ReplacementInfo",
                _t("DocumentId", "document_id", min=1),
                _g("OrganIdList", _t("OrganId", "organ_id", max=None), min=0),
                max=None,
            ),
            min=0,
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
            "Manifest",
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
            "Attachment",
            _t("ContentId", min=1),
            _t("AttachmentName", min=1),
            _t("ContentType", min=1),
            _t("ContentTransferEncoded", min=1),
            _t("Value", "base64", min=1),
            max=None,
            min=0,
        ),
        min=0,
    ),
)

STATUS = _g(
    "Status",
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
        _g(
            "StaffInfo",
            _t("Department"),
            _t("Staff"),
            _t("Mobile"),
            _t("Email"),
            min=0,
        ),
    ),
)


def _check_name(el, path: str) -> str:
    qname = etree.QName(el)
    if qname.namespace != NS:
        raise EdxmlError(
            path or qname.localname,
            "namespace",
            f"element <{qname.localname}> is in namespace {qname.namespace or '(none)'!r}, "
            f"expected {NS!r}",
        )
    if el.prefix != PREFIX:
        raise EdxmlError(
            path or qname.localname,
            "prefix",
            f"element <{qname.localname}> must carry the prefix '{PREFIX}:' "
            f"(found {el.prefix or 'none'!r})",
        )
    return qname.localname


def _check_text(spec: Spec, el, path: str, max_attachment: int | None) -> None:
    text = (el.text or "").strip()
    if len(el):
        raise EdxmlError(path, "text", "must hold text, not elements")
    if spec.min and not text and spec.kind != "base64":
        raise EdxmlError(path, "required", "must not be empty")
    if not text:
        return
    if spec.kind == "date":
        try:
            dt.datetime.strptime(text, DATE_FORMAT)
        except ValueError:
            raise EdxmlError(path, "date", f"{text!r} is not a date yyyy/MM/dd") from None
    elif spec.kind == "timestamp":
        try:
            dt.datetime.strptime(text, TIMESTAMP_FORMAT)
        except ValueError:
            raise EdxmlError(
                path, "timestamp", f"{text!r} is not a time yyyy/MM/dd HH:mm:ss"
            ) from None
    elif spec.kind == "int":
        if not re.fullmatch(r"-?\d+", text):
            raise EdxmlError(path, "integer", f"{text!r} is not a whole number")
        value = int(text)
        if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
            raise EdxmlError(
                path, "range", f"{value} is outside {spec.lo}..{'' if spec.hi is None else spec.hi}"
            )
    elif spec.kind == "organ_id":
        if not ORGAN_ID_RE.match(text):
            raise EdxmlError(path, "pattern", f"{text!r} is not an organisation code")
    elif spec.kind == "document_id":
        m = DOCUMENT_ID_RE.match(text)
        if not m:
            raise EdxmlError(
                path, "document_id", f"{text!r} is not <OrganId>,<yyyy/MM/dd>,<number/notation>"
            )
        try:
            dt.datetime.strptime(m.group(2), DATE_FORMAT)
        except ValueError:
            raise EdxmlError(path, "document_id", f"{m.group(2)!r} is not a date") from None
    elif spec.kind == "status":
        if text not in STATUS_CODES:
            raise EdxmlError(path, "range", f"{text!r} is not one of {', '.join(STATUS_CODES)}")
    elif spec.kind == "base64":
        if max_attachment is not None and len(text) * 3 // 4 > max_attachment + 3:
            raise EdxmlError(path, "size", f"the attachment is larger than {max_attachment} bytes")
        try:
            # strict_mode: what b64decode(validate=True) refuses, without its regex pass.
            binascii.a2b_base64(text, strict_mode=True)
        except (binascii.Error, ValueError):
            # Line breaks are allowed in base64 text: try again without whitespace.
            try:
                binascii.a2b_base64("".join(text.split()), strict_mode=True)
            except (binascii.Error, ValueError):
                raise EdxmlError(path, "base64", "is not base64") from None


def _walk(spec: Spec, el, path: str, max_attachment: int | None, root: bool = False) -> None:
    if spec.kind != "group":
        _check_text(spec, el, path, max_attachment)
        return
    counts: dict[str, int] = {}
    allowed = {c.name: c for c in spec.children}
    for child in el:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        if (
            root
            and etree.QName(child).namespace == DS_NS
            and etree.QName(child).localname == ("Signature")
        ):
            continue
        name = _check_name(child, f"{path}/{etree.QName(child).localname}")
        counts[name] = counts.get(name, 0) + 1
        child_path = f"{path}/{name}" if counts[name] == 1 else f"{path}/{name}[{counts[name]}]"
        child_spec = allowed.get(name)
        if child_spec is None:
            raise EdxmlError(child_path, "unknown", f"<{name}> is not allowed in <{spec.name}>")
        if child_spec.max is not None and counts[name] > child_spec.max:
            raise EdxmlError(
                child_path, "repeated", f"<{name}> may appear at most {child_spec.max} time(s)"
            )
        _walk(child_spec, child, child_path, max_attachment)
    for child_spec in spec.children:
        if counts.get(child_spec.name, 0) < child_spec.min:
            raise EdxmlError(
                f"{path}/{child_spec.name}", "required", f"<{spec.name}> needs <{child_spec.name}>"
            )


def _validate(spec: Spec, root, max_attachment: int | None) -> None:
    name = _check_name(root, "")
    if name != spec.name:
        raise EdxmlError(name, "root", f"the document element must be <{spec.name}>")
    _walk(spec, root, name, max_attachment, root=True)


def validate_envelope(root, *, max_attachment: int | None = None) -> None:
    """Raise :class:`EdxmlError` at the first broken rule of a package."""
    _validate(ENVELOPE, root, max_attachment)


def validate_status(root) -> None:
    """Raise :class:`EdxmlError` at the first broken rule of a status packet."""
    _validate(STATUS, root, None)
