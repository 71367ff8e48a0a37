"""Packages in: accept signed edXML packages, one or a batch, check them, store them with
their deliveries, evidence and audit rows, and answer with the hub's signed receipt::

    packages.accept_package(xml_bytes, actor=request)  # Accepted(package, receipt, created)
    packages.accept_packages([xml_bytes, ...], actor=request)  # a batch, all or nothing

A resend of an accepted package is answered as the first time. A refused package raises
:class:`HubError` (code, message, element and rule when the edXML validation names them), a
refused batch :class:`BatchRefused`; the refusal is logged and audited in a transaction of its
own, and nothing of the input is stored.

The hub keeps the sender's bytes as received and, per package, what it added to make its own
signed copy (:func:`package_bytes`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from egov.accounts import policy
from egov.core.models import Organisation
from egov.core.services import audit
from egov.core.signing import sign_xml
from egov.core.signing.xml import parse as parse_xml
from egov.core.text import fold
from egov.exchange import edxml
from egov.exchange.edxml.package import _q
from egov.exchange.models import Delivery, Evidence, Package, StatusCode
from egov.exchange.services import evidence
from egov.exchange.services.errors import BatchRefused, HubError
from egov.exchange.services.hub import checks, deliveries, statuses
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay import outbound

logger = logging.getLogger(__name__)

# Packages in one batch (POST /exchange/packages/batch/): as many files as Django's multipart
# parser takes by default (DATA_UPLOAD_MAX_NUMBER_FILES).
BATCH_MAX = 100


@dataclass
class Accepted:
    package: Package
    receipt: bytes
    created: bool


def _refused_many(actor, refused: BatchRefused, shas: list[str]) -> None:
    """Log and audit each refused package of a batch (nothing of the batch is stored)."""
    for index, error in refused.errors:
        logger.warning(
            "exchange: package %s of a batch refused: %s (%s)", index, error.code, error.message
        )
    with transaction.atomic():
        audit.record_many(
            [
                {
                    "actor": policy.actor_of(actor),
                    "action": "exchange.package_refused",
                    "object_type": "exchange.input",
                    "object_id": shas[index][:16] if index < len(shas) else "",
                    "summary": {
                        "code": error.code,
                        "element": error.element,
                        "rule": error.rule,
                        "batch_index": index,
                        "batch_size": len(shas),
                    },
                }
                for index, error in refused.errors
            ]
        )


def _hub_copy(root, hub: Organisation) -> str:
    """Sign the package as delivered: the hub's TraceHeader appended, signed by the hub; return
    what the hub added (its TraceHeader and ds:Signature, see :func:`package_bytes`).

    Changes ``root`` (the parsed input, not used afterwards): the sender's bytes are kept as
    received. Why not keep the whole copy: it is the sender's bytes but for these two elements
    (about 3 kB of 140): writing 140 kB more per package cost more than rebuilding the copy
    when a recipient takes it.
    """
    trace = edxml.trace_element(edxml.TraceHeader(hub.code, checks.now_vn()))
    _as_delivered(root, trace)
    signature = sign_xml(root, hub, in_place=True)[-1]
    return (
        "<hub>"
        + etree.tostring(trace, encoding="unicode", with_tail=False)
        + etree.tostring(signature, encoding="unicode", with_tail=False)
        + "</hub>"
    )


def _as_delivered(root, trace) -> None:
    """The sender's signature out (last in the root, or in edXMLHeader where VNPT's SDK puts
    it), the hub's TraceHeader in after the last one; the hub's signature then goes last in the
    root, whatever the sender's placement."""
    for _location, sig in edxml.signatures(root):
        sig.getparent().remove(sig)
    thl = root.find(f"{_q('edXMLHeader')}/{_q('TraceHeaderList')}")
    traces = thl.findall(_q("TraceHeader"))
    if traces:
        traces[-1].addnext(trace)
    else:
        thl.insert(0, trace)


def _receipt(pkg: edxml.Package, hub: Organisation, sha: str) -> bytes:
    status = edxml.Status(
        response_for=edxml.ResponseFor(
            pkg.header.from_.organ_id,
            pkg.document_id,
            pkg.header.number_notation,
            pkg.header.promulgation_date,
        ),
        from_=edxml.Organ(hub.code, hub.name),
        code=StatusCode.ARRIVED,
        timestamp=checks.now_vn(),
        description=f"Received by the hub {hub.code}; SHA-256 {sha}",
    )
    return edxml.sign(edxml.build_status(status), hub, in_place=True)


def _save(name: str, data: bytes) -> str:
    """Keep ``data`` under ``name`` (named by its content's hash: an existing file holds the
    same bytes). On the file system: one write to a temporary name, then a rename, so a crash
    never leaves a truncated file under the final name; that path is also half the CPU of
    Storage.save's (0.3 of 0.6 ms a package, two files)."""
    if not isinstance(default_storage, FileSystemStorage):
        if default_storage.exists(name):
            return name
        return default_storage.save(name, ContentFile(data))
    path = default_storage.path(name)
    if os.path.exists(path):
        return name
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        handle = open(temporary, "wb")  # noqa: SIM115 (closed below, before the rename)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle = open(temporary, "wb")  # noqa: SIM115
    with handle:
        handle.write(data)
    if default_storage.file_permissions_mode is not None:
        os.chmod(temporary, default_storage.file_permissions_mode)
    os.replace(temporary, path)
    return name


def accept_package(data: bytes, *, actor, relayed: bool = False) -> Accepted:
    """``relayed``: the caller is a provincial hub relaying the package (header
    ``X-Egov-Relay``); recipients it receives for itself are left to it (no delivery here).
    A batch of one: see :func:`accept_packages`."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _accept_packages([data], [sha], actor, relayed)[0]
    except BatchRefused as refused:
        raise checks.record_refusal(actor, refused.errors[0][1], "package", sha) from None
    except HubError as error:
        raise checks.record_refusal(actor, error, "package", sha) from None


def accept_packages(datas: list[bytes], *, actor, relayed: bool = False) -> list[Accepted]:
    """Up to :data:`BATCH_MAX` packages in one transaction, all or nothing: each is checked as
    :func:`accept_package` checks one (a resend is answered as a resend), then all are stored
    with one INSERT per table and one lock per hash chain. Any refusal refuses the batch
    (:class:`BatchRefused` names each refused package by its index) and nothing is stored.

    Why: the per-request cost of the stack (authentication, transaction, the chains' locks,
    commit) is paid once per batch instead of once per package."""
    shas = [hashlib.sha256(d).hexdigest() for d in datas]
    try:
        if not 1 <= len(datas) <= BATCH_MAX:
            raise BatchRefused(
                [
                    (
                        0,
                        HubError(
                            "batch_size",
                            _("A batch holds from 1 to %(n)s packages.") % {"n": BATCH_MAX},
                        ),
                    )
                ]
            )
        return _accept_packages(datas, shas, actor, relayed)
    except BatchRefused as refused:
        _refused_many(actor, refused, shas)
        raise
    except HubError as error:  # not about one package (the hub's configuration, a conflict)
        raise checks.record_refusal(actor, error, "package_batch") from None


@dataclass
class Checked:
    """A package that passed the checks, ready to store (or a resend to answer)."""

    data: bytes
    sha: str
    root: object = None
    pkg: edxml.Package | None = None
    signer: str | None = None  # the organisation code in the signing certificate
    sender: Organisation | None = None
    recipients: list[Organisation] = field(default_factory=list)
    earlier: Package | None = None
    resend: Accepted | None = None
    same_as: int | None = None  # an identical package earlier in the batch


def _accept_packages(
    datas: list[bytes], shas: list[str], actor, relayed: bool, retried: bool = False
) -> list[Accepted]:
    errors: list[tuple[int, HubError]] = []
    items: list[Checked] = []
    for i, (data, sha) in enumerate(zip(datas, shas, strict=True)):
        item = Checked(data, sha)
        items.append(item)
        try:
            item.root, item.pkg, item.signer = checks.load_and_verify(data, "package")
        except HubError as error:
            errors.append((i, error))
    checked = [it for it in items if it.pkg is not None]
    # One query for every sender, recipient and the hub (each as resolve() would find it).
    codes = {settings.EGOV_INSTANCE_ORG_CODE}
    for it in checked:
        codes.add(it.pkg.header.from_.organ_id)
        codes.update(to.organ_id for to in it.pkg.header.to)
    registry = checks.organisations_on(codes, timezone.localdate())
    document_ids = [it.pkg.document_id for it in checked]
    existing = {p.document_id: p for p in Package.objects.filter(document_id__in=document_ids)}
    first_of: dict[str, int] = {}
    for i, it in enumerate(items):
        if it.pkg is None:
            continue
        try:
            _check(it, i, actor, registry, existing, first_of, items, relayed)
        except HubError as error:
            errors.append((i, error))
    if errors:
        raise BatchRefused(sorted(errors, key=lambda e: e[0]))
    hub = checks.hub_organisation(registry)
    new = [it for it in items if it.resend is None and it.same_as is None]
    stored = store_many(new, hub, actor, relayed) if new else []
    if stored is None:
        if retried:
            raise HubError("conflict", _("The packages conflict with concurrent ones."), status=409)
        # A concurrent resend of one of the packages won the race: answer again, as resends.
        return _accept_packages(datas, shas, actor, relayed, retried=True)
    results = dict(zip((id(it) for it in new), stored, strict=True))
    answers: list[Accepted] = []
    for it in items:
        if it.resend is not None:
            answers.append(it.resend)
        elif it.same_as is not None:
            first = answers[it.same_as]
            answers.append(Accepted(first.package, first.receipt, created=False))
        else:
            package, receipt = results[id(it)]
            answers.append(Accepted(package, receipt, created=True))
    return answers


def _check(it: Checked, index, actor, registry, existing, first_of, items, relayed) -> None:
    """The checks of one package that need the registry and the hub's packages."""
    h = it.pkg.header
    it.sender = checks.check_sender(actor, it.signer, h.from_.organ_id, "documents.send", registry)
    earlier_index = first_of.setdefault(h.document_id, index)
    if earlier_index != index:
        if items[earlier_index].sha != it.sha:
            raise _duplicate(h)
        it.same_as = earlier_index
        return
    it.resend = resend(h, it.sha, existing.get(h.document_id))
    if it.resend is not None:
        return
    for i, to in enumerate(h.to, start=1):
        org = checks.organisation(
            to.organ_id, f"MessageHeader/To[{i}]/OrganId", "unknown_recipient", registry
        )
        if org not in it.recipients:
            it.recipients.append(org)
    if relayed:
        it.recipients = [r for r in it.recipients if not policy.can(actor, "documents.receive", r)]
        if not it.recipients:
            raise HubError(
                "no_recipient",
                _("Every recipient of this relayed package is the relaying hub's own."),
                element="MessageHeader/To",
                rule="relay",
            )
    it.earlier = statuses.referenced(it.pkg, it.sender)


def _duplicate(h: edxml.MessageHeader) -> HubError:
    return HubError(
        "duplicate_document_id",
        _("Another package with DocumentId %(id)s was already accepted.") % {"id": h.document_id},
        element="MessageHeader/DocumentId",
        rule="unique",
        status=409,
    )


def resend(h: edxml.MessageHeader, sha: str, existing: Package | None) -> Accepted | None:
    """The answer to a resend of an accepted package (``existing``: the package with its
    DocumentId, if any); refuse another package with its DocumentId, and secret documents."""
    if existing is not None:
        if existing.sha256 != sha:
            raise _duplicate(h)
        return Accepted(existing, stored_receipt(existing), created=False)
    if h.confidentiality:
        raise HubError(
            "secret_document",
            _("Documents marked secret never cross the hub."),
            element="MessageHeader/OtherInfo/Confidentiality",
            rule="secret",
        )
    return None


def store_many(
    items: list[Checked], hub: Organisation, actor, relayed=False, inward=False
) -> list[tuple[Package, bytes | None]] | None:
    """Store accepted packages, their deliveries, evidence and audit rows in one transaction,
    one INSERT per table.

    On a provincial hub, recipients outside its subtree get a delivery ``via="parent"`` and one
    relay (outbox row) of the sender's bytes to the parent hub. ``inward``: the packages came from
    the parent hub (no receipt of this hub; the parent gave its own). Returns each package with
    this hub's receipt, or None if a concurrent identical resend won the race (nothing stored).
    """
    day = timezone.localdate()
    receipts: list[bytes | None] = []
    packages: list[Package] = []
    now = timezone.now()
    for it in items:
        h = it.pkg.header
        hub_part = _hub_copy(it.root, hub)
        receipts.append(None if inward else _receipt(it.pkg, hub, it.sha))
        packages.append(
            Package(
                document_id=h.document_id,
                sender=it.sender,
                business_type=it.pkg.business.doc_type,
                reason=it.pkg.business.reason,
                replaces=it.earlier,
                number=h.code_number,
                notation=h.code_notation,
                promulgation_date=h.promulgation_date,
                type_name=h.type_name,
                subject=h.subject,
                search_text=_search_text(h, it.sender),
                priority=h.priority,
                due_date=h.due_date,
                sha256=it.sha,
                # Files named by content: a rolled back batch leaves files a resend reuses.
                original=_save(f"exchange/{day:%Y/%m}/{it.sha}.xml", it.data),
                hub_part=hub_part,
                size=len(it.data),
                received_at=now,
            )
        )
    try:
        with transaction.atomic():
            Package.objects.bulk_create(packages)
            stored = Delivery.objects.bulk_create(
                [
                    Delivery(
                        package=package,
                        recipient=r,
                        created_at=now,
                        via="parent" if parent_hub.relays(r, hub) else "",
                    )
                    for package, it in zip(packages, items, strict=True)
                    for r in it.recipients
                ]
            )
            entries = []
            for package, it, receipt in zip(packages, items, receipts, strict=True):
                entries.append(
                    evidence.Entry(
                        kind="package",
                        document_id=package.document_id,
                        organ_id=it.sender.code,
                        content=it.data,
                        stored=False,
                        content_sha256=it.sha,
                    )
                )
                if receipt is not None:
                    entries.append(
                        evidence.Entry(
                            kind="receipt",
                            document_id=package.document_id,
                            organ_id=hub.code,
                            content=receipt,
                        )
                    )
            evidence.append_many(entries)
            by_package: dict[int, list[Delivery]] = {}
            for d in stored:
                by_package.setdefault(d.package_id, []).append(d)
                if not d.via:
                    deliveries.push(d, "package", f"package:{d.pk}")
            rows = []
            for package, it in zip(packages, items, strict=True):
                relayed_deliveries = [d for d in by_package.get(package.pk, []) if d.via]
                if relayed_deliveries:
                    outbound.enqueue_package(relayed_deliveries[0])
                summary = {
                    "document_id": package.document_id,
                    "recipients": [r.code for r in it.recipients],
                    "business_type": package.business_type,
                    "sha256": it.sha,
                }
                if relayed_deliveries:
                    summary["via_parent"] = [d.recipient.code for d in relayed_deliveries]
                if relayed:
                    summary["relayed_by"] = str(policy.actor_of(actor))
                if len(items) > 1:
                    summary["batch_size"] = len(items)
                rows.append(
                    {
                        "actor": policy.actor_of(actor),
                        "action": (
                            "exchange.package_relayed_in" if inward else "exchange.package_accepted"
                        ),
                        "obj": package,
                        "organisation": it.sender,
                        "summary": summary,
                    }
                )
            audit.record_many(rows)
    except IntegrityError:
        shas = {it.sha for it in items}
        ids = [p.document_id for p in packages]
        if not Package.objects.filter(document_id__in=ids, sha256__in=shas).exists():
            raise
        return None
    return list(zip(packages, receipts, strict=True))


def _search_text(h: edxml.MessageHeader, sender: Organisation) -> str:
    return fold(f"{h.number_notation} {h.subject} {sender.name} {sender.code}")


def stored_receipt(package: Package) -> bytes:
    row = Evidence.objects.filter(document_id=package.document_id, kind="receipt").first()
    return bytes(row.content) if row else b""


def package_bytes(package: Package, *, original=False) -> bytes:
    """The sender's signed bytes as received (``original``), or the hub's signed copy: the
    sender's document with the hub's TraceHeader and signature (``hub_part``), rebuilt the
    same way each time (packages accepted before hub_part existed kept the whole copy as a
    file: ``delivered``)."""
    name = package.original if original or not package.delivered else package.delivered
    with default_storage.open(name, "rb") as f:
        data = f.read()
    if edxml.has_doctype(data):
        # Stored before DOCTYPEs were refused: never served again. No entity of it is used (a
        # text holding one was refused), and c14n leaves the DOCTYPE out of what was signed, so
        # the document without it still verifies.
        root = parse_xml(data, huge=True, comments=False)
        if original or package.delivered:
            return edxml.to_bytes(root)
    elif original or package.delivered:
        return data
    else:
        root = edxml.load(data, huge=True)
    trace, signature = etree.fromstring(package.hub_part.encode("utf-8"))
    _as_delivered(root, trace)
    root.append(signature)
    return edxml.to_bytes(root)
