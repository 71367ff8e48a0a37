"""The hub: accept signed edXML packages, deliver them to mailboxes, route status packets.

One door per state change, each in one transaction with its audit row and evidence row::

    result = hub.accept_package(xml_bytes, actor=request)  # Accepted(package, receipt, created)
    hub.acknowledge(delivery, actor=request)                 # pull: the recipient took it (01)
    hub.accept_status(xml_bytes, actor=request)              # 02-06, 13 recall, 15/16 answers
    hub.refuse(delivery, code=..., reason=..., actor=request)  # the puller could not take it

A caller that pulls (a provincial hub) takes each item off its pending list with an
acknowledgement, or refuses it (``refuse``, ``acknowledge_status(..., refused=...)``,
``acknowledge_recall(..., refused=...)``): the refusal is kept, audited and final.

A refused input raises :class:`HubError` (code, message, element and rule when the edXML
validation names them); the refusal is logged and audited in a transaction of its own, and
nothing of the input is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from egov.accounts import policy
from egov.core.models import Organisation
from egov.core.services import audit
from egov.core.services.organisations import resolve, valid_on
from egov.core.signing import sign_xml, verify_xml
from egov.core.text import fold
from egov.exchange import edxml
from egov.exchange.edxml.package import _q
from egov.exchange.edxml.validate import DS_NS
from egov.exchange.models import (
    BusinessType,
    Delivery,
    Evidence,
    Mailbox,
    OutboxMessage,
    Package,
    StatusCode,
    StatusMessage,
    TransportState,
)
from egov.exchange.services import evidence, relay
from egov.exchange.services.errors import BatchRefused, HubError

logger = logging.getLogger(__name__)

VN = dt.timezone(dt.timedelta(hours=7))
# Which business status may follow which, per recipient ("" = nothing yet).
TRANSITIONS: dict[str, set[str]] = {
    "": {"01", "02", "03"},
    "01": {"02", "03"},
    "03": {"04", "05", "06"},
    "04": {"05", "06"},
    "05": {"06"},
    "02": set(),
    "06": set(),
}


# Packages in one batch (POST /exchange/packages/batch/): as many files as Django's multipart
# parser takes by default (DATA_UPLOAD_MAX_NUMBER_FILES).
BATCH_MAX = 100


def max_package() -> int:
    return int(getattr(settings, "EGOV_EXCHANGE_MAX_PACKAGE", 40 * 1024 * 1024))


def max_attachment() -> int:
    return int(getattr(settings, "EGOV_EXCHANGE_MAX_ATTACHMENT", 20 * 1024 * 1024))


def hub_organisation(registry: dict[str, Organisation] | None = None) -> Organisation:
    code = settings.EGOV_INSTANCE_ORG_CODE
    org = (registry or {}).get(code) or resolve(code)
    if org is None:
        raise HubError(
            "hub_not_configured",
            _("The hub organisation %(code)s is not in the registry.") % {"code": code},
            status=500,
        )
    return org


@dataclass
class Accepted:
    package: Package
    receipt: bytes
    created: bool


def _refused(actor, error: HubError, what: str, sha: str = "") -> HubError:
    logger.warning("exchange: %s refused: %s (%s)", what, error.code, error.message)
    with transaction.atomic():
        audit.record(
            actor=policy.actor_of(actor),
            action=f"exchange.{what}_refused",
            object_type="exchange.input",
            object_id=sha[:16],
            summary={"code": error.code, "element": error.element, "rule": error.rule},
        )
    return error


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


def _load_and_verify(data: bytes, kind: str):
    """Parse, validate and verify; return (root, parsed object, signer code)."""
    if len(data) > max_package():
        raise HubError(
            "too_large",
            _("The package is larger than %(n)s bytes.") % {"n": max_package()},
            status=413,
        )
    try:
        # The size is capped above, so large attachments may exceed libxml2's text limit.
        root = edxml.load(data, huge=True)
        signatures = [
            c for c in root if isinstance(c.tag, str) and c.tag == f"{{{DS_NS}}}Signature"
        ]
        if kind == "package":
            parsed = edxml.parse(root, max_attachment=max_attachment(), decode=False)
        else:
            parsed = edxml.parse_status(root)
    except edxml.EdxmlError as exc:
        code = "attachment_too_large" if exc.rule == "size" else f"invalid_{exc.rule}"
        raise HubError(code, exc.message, element=exc.element, rule=exc.rule) from None
    if len(signatures) != 1:
        raise HubError(
            "signature_missing",
            _("The document must carry exactly one enveloped XML signature."),
            element="Signature",
            rule="required",
        )
    result = verify_xml(root, huge=True)
    if not result.valid:
        raise HubError(
            "signature_invalid",
            _("The XML signature does not verify: %(error)s") % {"error": result.error},
            element="Signature",
            rule="signature",
        )
    return root, parsed, result.signer_code


def _registry(codes, day: dt.date) -> dict[str, Organisation]:
    """The organisations bearing ``codes`` on ``day`` (with their mailbox), in one query.

    Per code the same row as ``resolve(code, day)``: the latest ``valid_from`` first.
    """
    rows = (
        Organisation.objects.filter(code__in=set(codes))
        .filter(valid_on(day))
        .select_related("mailbox")
        .order_by("code", F("valid_from").desc(nulls_last=True), "pk")
    )
    found: dict[str, Organisation] = {}
    for org in rows:
        found.setdefault(org.code, org)
    return found


def _organisation(
    code: str, element: str, error_code: str, registry: dict[str, Organisation] | None = None
) -> Organisation:
    org = registry.get(code) if registry is not None else resolve(code, timezone.localdate())
    if org is None:
        raise HubError(
            error_code,
            _("No organisation has the code %(code)s.") % {"code": code},
            element=element,
            rule="registry",
        )
    return org


def _check_sender(
    actor,
    signer_code: str | None,
    organ_id: str,
    scope: str | None,
    registry: dict[str, Organisation] | None = None,
) -> Organisation:
    """The organisation in From, signed by itself; ``scope``: the actor must hold it there
    (None: the input comes from the parent hub, which checked its caller)."""
    if signer_code != organ_id:
        raise HubError(
            "signer_mismatch",
            _("The package is signed by %(signer)s but sent as %(sender)s.")
            % {"signer": signer_code, "sender": organ_id},
            element="Signature",
            rule="signer",
        )
    org = _organisation(organ_id, "From/OrganId", "unknown_sender", registry)
    if scope is not None and not policy.can(actor, scope, org):
        raise HubError(
            "not_your_organisation",
            _("You may not send for %(code)s.") % {"code": organ_id},
            status=403,
        )
    return org


def now_vn() -> dt.datetime:
    """Now in Vietnam, naive, to the second: the edXML timestamps."""
    return timezone.now().astimezone(VN).replace(tzinfo=None, microsecond=0)


def _hub_copy(root, hub: Organisation) -> str:
    """Sign the package as delivered: the hub's TraceHeader appended, signed by the hub; return
    what the hub added (its TraceHeader and ds:Signature, see :func:`package_bytes`).

    Changes ``root`` (the parsed input, not used afterwards): the sender's bytes are kept as
    received. Why not keep the whole copy: it is the sender's bytes but for these two elements
    (about 3 kB of 140): writing 140 kB more per package cost more than rebuilding the copy
    when a recipient takes it.
    """
    trace = edxml.trace_element(edxml.TraceHeader(hub.code, now_vn()))
    _as_delivered(root, trace)
    signature = sign_xml(root, hub, in_place=True)[-1]
    return (
        "<hub>"
        + etree.tostring(trace, encoding="unicode", with_tail=False)
        + etree.tostring(signature, encoding="unicode", with_tail=False)
        + "</hub>"
    )


def _as_delivered(root, trace) -> None:
    """The sender's signature out, the hub's TraceHeader in after the last one."""
    for sig in root.findall(f"{{{DS_NS}}}Signature"):
        root.remove(sig)
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
        timestamp=now_vn(),
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


def _push(delivery: Delivery, kind: str, key: str) -> OutboxMessage | None:
    # A status goes to the package's sender; a package or a recall to the recipient.
    owner = delivery.package.sender if kind == "status" else delivery.recipient
    try:
        url = owner.mailbox.webhook_url
    except Mailbox.DoesNotExist:
        url = ""
    if not url:
        return None
    now = timezone.now()
    message = OutboxMessage.objects.create(
        key=key, delivery=delivery, kind=kind, url=url, next_attempt_at=now, created_at=now
    )
    from egov.exchange import tasks

    transaction.on_commit(lambda: tasks.push.enqueue(message.pk))
    return message


def _referenced(pkg: edxml.Package, sender: Organisation) -> Package | None:
    kind = pkg.business.doc_type
    if kind == BusinessType.NEW:
        return None
    if kind == BusinessType.RECALL:
        raise HubError(
            "recall_is_a_status",
            _("Recall a document with a status packet 13 for its DocumentId."),
            element="TraceHeaderList/Bussiness/BussinessDocType",
            rule="business",
        )
    if not pkg.business.replacements:
        raise HubError(
            "replacement_missing",
            _("An update or replacement must name the earlier DocumentId."),
            element="TraceHeaderList/Bussiness/ReplacementInfoList",
            rule="required",
        )
    earlier_id = pkg.business.replacements[0].document_id
    earlier = Package.objects.filter(document_id=earlier_id).first()
    if earlier is None:
        raise HubError(
            "unknown_document",
            _("No document %(id)s went through this hub.") % {"id": earlier_id},
            element="TraceHeaderList/Bussiness/ReplacementInfoList/ReplacementInfo/DocumentId",
            rule="reference",
        )
    if earlier.sender_id != sender.pk:
        raise HubError(
            "not_your_document",
            _("Only the sender of %(id)s may update or replace it.") % {"id": earlier_id},
            status=403,
        )
    return earlier


def accept_package(data: bytes, *, actor, relayed: bool = False) -> Accepted:
    """``relayed``: the caller is a provincial hub relaying the package (header
    ``X-Egov-Relay``); recipients it receives for itself are left to it (no delivery here).
    A batch of one: see :func:`accept_packages`."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _accept_packages([data], [sha], actor, relayed)[0]
    except BatchRefused as refused:
        raise _refused(actor, refused.errors[0][1], "package", sha) from None
    except HubError as error:
        raise _refused(actor, error, "package", sha) from None


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
        raise _refused(actor, error, "package_batch") from None


@dataclass
class _Checked:
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
    items: list[_Checked] = []
    for i, (data, sha) in enumerate(zip(datas, shas, strict=True)):
        item = _Checked(data, sha)
        items.append(item)
        try:
            item.root, item.pkg, item.signer = _load_and_verify(data, "package")
        except HubError as error:
            errors.append((i, error))
    checked = [it for it in items if it.pkg is not None]
    # One query for every sender, recipient and the hub (each as resolve() would find it).
    codes = {settings.EGOV_INSTANCE_ORG_CODE}
    for it in checked:
        codes.add(it.pkg.header.from_.organ_id)
        codes.update(to.organ_id for to in it.pkg.header.to)
    registry = _registry(codes, timezone.localdate())
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
    hub = hub_organisation(registry)
    new = [it for it in items if it.resend is None and it.same_as is None]
    stored = _store_many(new, hub, actor, relayed) if new else []
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


def _check(it: _Checked, index, actor, registry, existing, first_of, items, relayed) -> None:
    """The checks of one package that need the registry and the hub's packages."""
    h = it.pkg.header
    it.sender = _check_sender(actor, it.signer, h.from_.organ_id, "documents.send", registry)
    earlier_index = first_of.setdefault(h.document_id, index)
    if earlier_index != index:
        if items[earlier_index].sha != it.sha:
            raise _duplicate(h)
        it.same_as = earlier_index
        return
    it.resend = _resend(h, it.sha, existing.get(h.document_id))
    if it.resend is not None:
        return
    for i, to in enumerate(h.to, start=1):
        org = _organisation(
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
    it.earlier = _referenced(it.pkg, it.sender)


def _duplicate(h: edxml.MessageHeader) -> HubError:
    return HubError(
        "duplicate_document_id",
        _("Another package with DocumentId %(id)s was already accepted.") % {"id": h.document_id},
        element="MessageHeader/DocumentId",
        rule="unique",
        status=409,
    )


def _resend(h: edxml.MessageHeader, sha: str, existing: Package | None) -> Accepted | None:
    """The answer to a resend of an accepted package (``existing``: the package with its
    DocumentId, if any); refuse another package with its DocumentId, and secret documents."""
    if existing is not None:
        if existing.sha256 != sha:
            raise _duplicate(h)
        return Accepted(existing, _stored_receipt(existing), created=False)
    if h.confidentiality:
        raise HubError(
            "secret_document",
            _("Documents marked secret never cross the hub."),
            element="MessageHeader/OtherInfo/Confidentiality",
            rule="secret",
        )
    return None


def accept_from_parent(data: bytes) -> Accepted:
    """A package pulled from the parent hub (provincial role): from a sender outside this hub's
    subtree, for recipients inside it. The sender's signature is checked as for any package;
    the parent checked who sent it. Delivered here to the recipients inside the subtree only."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _accept_from_parent(data, sha)
    except HubError as error:
        raise _refused("system:parent", error, "parent_package", sha) from None


def _accept_from_parent(data: bytes, sha: str) -> Accepted:
    root, pkg, signer = _load_and_verify(data, "package")
    h = pkg.header
    sender = _check_sender("system:parent", signer, h.from_.organ_id, None)
    resend = _resend(h, sha, Package.objects.filter(document_id=h.document_id).first())
    if resend is not None:
        return resend
    hub = hub_organisation()
    if not relay.relays(sender, hub):
        raise HubError(
            "not_inward",
            _("A package of this hub's own organisations does not come from the parent hub."),
            element="MessageHeader/From/OrganId",
            rule="relay",
        )
    # One query for the recipients (each as resolve() would find it), with their mailboxes.
    registry = _registry([to.organ_id for to in h.to], timezone.localdate())
    recipients: list[Organisation] = []
    for to in h.to:
        org = registry.get(to.organ_id)
        if org is not None and not relay.relays(org, hub) and org not in recipients:
            recipients.append(org)
    if not recipients:
        raise HubError(
            "no_recipient",
            _("No recipient of this package is in this hub's organisations."),
            element="MessageHeader/To",
            rule="registry",
        )
    item = _Checked(
        data, sha, root, pkg, sender=sender, recipients=recipients, earlier=_referenced(pkg, sender)
    )
    stored = _store_many([item], hub, "system:parent", inward=True)
    if stored is None:
        existing = Package.objects.filter(document_id=h.document_id, sha256=sha).first()
        return Accepted(existing, b"", created=False)
    return Accepted(stored[0][0], b"", created=True)


def _store_many(
    items: list[_Checked], hub: Organisation, actor, relayed=False, inward=False
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
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(
                        package=package,
                        recipient=r,
                        created_at=now,
                        via="parent" if relay.relays(r, hub) else "",
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
            for d in deliveries:
                by_package.setdefault(d.package_id, []).append(d)
                if not d.via:
                    _push(d, "package", f"package:{d.pk}")
            rows = []
            for package, it in zip(packages, items, strict=True):
                relayed_deliveries = [d for d in by_package.get(package.pk, []) if d.via]
                if relayed_deliveries:
                    relay.enqueue_package(relayed_deliveries[0])
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


def _stored_receipt(package: Package) -> bytes:
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
    if original or package.delivered:
        return data
    root = edxml.load(data, huge=True)
    trace, signature = etree.fromstring(package.hub_part.encode("utf-8"))
    _as_delivered(root, trace)
    root.append(signature)
    return edxml.to_bytes(root)


# --------------------------------------------------------------------------- mailboxes


@transaction.atomic
def acknowledge(delivery: Delivery, *, actor) -> Delivery:
    """The recipient took the package from its mailbox: delivered, business status 01."""
    policy.check(actor, "documents.receive", delivery)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.acknowledged_at is None and refused(delivery):
        # The recipient's side refused it (final, the sender was told why): not taken later.
        raise HubError(
            "already_refused",
            _("This delivery was refused by the recipient's hub: %(error)s")
            % {"error": delivery.transport_error},
            status=409,
        )
    if delivery.acknowledged_at is None:
        _mark_delivered(delivery, actor)
    return delivery


REFUSED_BY_RECIPIENT = "refused by the recipient's hub: "


def refused(delivery: Delivery) -> bool:
    """Did the recipient's side refuse the delivery (:func:`refuse`)? A push that failed
    leaves the delivery failed too, but the recipient may still pull it."""
    return delivery.transport_state == TransportState.FAILED and (
        delivery.transport_error.startswith(REFUSED_BY_RECIPIENT)
    )


def _mark_delivered(delivery: Delivery, actor) -> None:
    now = timezone.now()
    delivery.transport_state = TransportState.DELIVERED
    delivery.delivered_at = delivery.delivered_at or now
    delivery.acknowledged_at = now
    if not delivery.status:
        delivery.status = StatusCode.ARRIVED
    delivery.save(update_fields=["transport_state", "delivered_at", "acknowledged_at", "status"])
    audit.record(
        actor=policy.actor_of(actor),
        action="exchange.delivered",
        obj=delivery,
        organisation=delivery.recipient_id,
        summary={"document_id": delivery.package.document_id},
    )


def refusal_text(code: str, reason: str = "") -> str:
    return f"{code}: {reason}".strip().rstrip(":")[:2000]


@transaction.atomic
def refuse(delivery: Delivery, *, code: str, reason: str = "", actor) -> Delivery:
    """The recipient's side pulled the package and refused it (a provincial hub whose checks
    refused it, e.g. ``not_inward``): the delivery's transport fails with the refusal, it leaves
    the pending list for good and the sender sees why (``transport_error``)."""
    policy.check(actor, "documents.receive", delivery)
    delivery = Delivery.objects.select_for_update().select_related("package").get(pk=delivery.pk)
    if delivery.acknowledged_at is not None:
        raise HubError(
            "already_acknowledged",
            _("This delivery was already acknowledged."),
            status=409,
        )
    if refused(delivery):
        return delivery  # refused already
    delivery.transport_state = TransportState.FAILED
    delivery.transport_error = REFUSED_BY_RECIPIENT + refusal_text(code, reason)
    delivery.save(update_fields=["transport_state", "transport_error"])
    audit.record(
        actor=policy.actor_of(actor),
        action="exchange.delivery_refused",
        obj=delivery,
        organisation=delivery.recipient_id,
        summary={
            "document_id": delivery.package.document_id,
            "code": code,
            "reason": reason[:500],
        },
    )
    return delivery


def recall_message(delivery: Delivery) -> StatusMessage | None:
    """The sender's recall (13) of the delivery's package, if any."""
    if not delivery.recall_status:
        return None
    return (
        StatusMessage.objects.filter(package_id=delivery.package_id, code=StatusCode.RECALL)
        .order_by("-id")
        .first()
    )


@transaction.atomic
def acknowledge_recall(delivery: Delivery, *, actor, refused: str = "", reason: str = ""):
    """The recipient's side took the sender's recall from its mailbox (a provincial hub passes
    it on to its recipient), or refused it (``refused``: the code; kept in ``recall_error``):
    either way it leaves the pending recalls."""
    policy.check(actor, "documents.receive", delivery)
    delivery = Delivery.objects.select_for_update().select_related("package").get(pk=delivery.pk)
    if not delivery.recall_status:
        raise HubError("no_recall", _("This document was not recalled."), status=404)
    if delivery.recall_pulled_at is None:
        delivery.recall_pulled_at = timezone.now()
        delivery.recall_error = refusal_text(refused, reason) if refused else ""
        delivery.save(update_fields=["recall_pulled_at", "recall_error"])
        summary = {"document_id": delivery.package.document_id}
        if refused:
            summary.update(code=refused, reason=reason[:500])
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.recall_rejected" if refused else "exchange.recall_pulled",
            obj=delivery,
            organisation=delivery.recipient_id,
            summary=summary,
        )
    return delivery


# --------------------------------------------------------------------------- status packets


def accept_status(data: bytes, *, actor) -> StatusMessage:
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _accept_status(data, sha, actor)
    except HubError as error:
        raise _refused(actor, error, "status", sha) from None


def accept_parent_status(data: bytes) -> StatusMessage:
    """A status packet pulled from the parent hub (provincial role): an answer of a recipient
    this hub relayed to, or an outside sender's recall (13) of a package this hub took from the
    parent (pulled from the parent's mailbox). Its signature is checked as for any status; it
    must be signed by the organisation in From, who must be a recipient of the package through
    the parent (an answer) or its sender outside this hub's organisations (a recall)."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _accept_status(data, sha, "system:parent", from_parent=True)
    except HubError as error:
        raise _refused("system:parent", error, "parent_status", sha) from None


def _accept_status(data: bytes, sha: str, actor, from_parent: bool = False) -> StatusMessage:
    _root, status, signer = _load_and_verify(data, "status")
    code = status.code
    scope = "documents.send" if code == StatusCode.RECALL else "documents.receive"
    sender = _check_sender(actor, signer, status.from_.organ_id, None if from_parent else scope)
    existing = StatusMessage.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    package = Package.objects.filter(document_id=status.response_for.document_id).first()
    if package is None:
        raise HubError(
            "unknown_document",
            _("No document %(id)s went through this hub.")
            % {"id": status.response_for.document_id},
            element="Header/ResponseFor/DocumentId",
            rule="reference",
        )
    if from_parent and code == StatusCode.RECALL and not relay.relays(sender, hub_organisation()):
        # An outside sender's recall of a package that came from the parent: the recipients here
        # get it; this hub's own senders recall here, not through the parent.
        raise HubError(
            "not_inward",
            _("A recall of this hub's own organisations does not come from the parent hub."),
            element="Header/From/OrganId",
            rule="relay",
        )
    with transaction.atomic():
        if code == StatusCode.RECALL:
            message = _recall(package, sender, status, data, sha, actor)
        else:
            message = _answer(package, sender, status, data, sha, actor, from_parent)
        evidence.append(
            kind="status", document_id=package.document_id, organ_id=sender.code, content=data
        )
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.status_from_parent" if from_parent else "exchange.status_accepted",
            obj=message,
            organisation=sender,
            summary={"document_id": package.document_id, "code": code},
        )
    return message


def _message(package, delivery, sender, status, data, sha) -> StatusMessage:
    staff = status.staff.__dict__ if status.staff else {}
    return StatusMessage.objects.create(
        package=package,
        delivery=delivery,
        sender=sender,
        code=status.code,
        description=status.description,
        staff=staff,
        timestamp=status.timestamp.replace(tzinfo=VN),
        xml=data,
        sha256=sha,
        created_at=timezone.now(),
    )


def _recall(package, sender, status, data, sha, actor) -> StatusMessage:
    if package.sender_id != sender.pk:
        raise HubError(
            "not_your_document",
            _("Only the sender of %(id)s may recall it.") % {"id": package.document_id},
            status=403,
        )
    deliveries = list(
        Delivery.objects.select_for_update(of=("self",))
        .select_related("recipient__mailbox")
        .filter(package=package)
    )
    if package.recalled_at or any(d.recall_status == StatusCode.RECALL for d in deliveries):
        raise HubError(
            "illegal_sequence",
            _("A recall of this document is already under way or done."),
            element="Header/StatusCode",
            rule="sequence",
            status=409,
        )
    Delivery.objects.filter(package=package).update(recall_status=StatusCode.RECALL)
    for d in deliveries:
        d.recall_status = StatusCode.RECALL
    message = _message(package, deliveries[0], sender, status, data, sha) if deliveries else None
    for d in deliveries:
        if not d.via:
            _push(d, "recall", f"recall:{d.pk}:{sha[:16]}")
    relay.relay_recall(deliveries, message)
    return message


def _answer(package, sender, status, data, sha, actor, from_parent=False) -> StatusMessage:
    delivery = (
        Delivery.objects.select_for_update().filter(package=package, recipient=sender).first()
    )
    if delivery is None or (from_parent and delivery.via != "parent"):
        raise HubError(
            "not_received",
            _("%(code)s never received %(id)s.") % {"code": sender.code, "id": package.document_id},
            element="Header/ResponseFor/DocumentId",
            rule="recipient",
            status=403,
        )
    code = status.code
    if code in (StatusCode.RECALL_AGREED, StatusCode.RECALL_REFUSED):
        if delivery.recall_status != StatusCode.RECALL:
            raise _illegal(delivery.recall_status or "-", code)
        delivery.recall_status = code
        delivery.save(update_fields=["recall_status"])
        others = Delivery.objects.filter(package=package).exclude(pk=delivery.pk)
        if (
            code == StatusCode.RECALL_AGREED
            and not others.exclude(recall_status=StatusCode.RECALL_AGREED).exists()
        ):
            package.recalled_at = timezone.now()
            package.save(update_fields=["recalled_at"])
    else:
        if code not in TRANSITIONS.get(delivery.status, set()):
            raise _illegal(delivery.status or "-", code)
        if delivery.acknowledged_at is None:
            _mark_delivered(delivery, actor)
        delivery.status = code
        delivery.save(update_fields=["status"])
    message = _message(package, delivery, sender, status, data, sha)
    _push(delivery, "status", f"status:{message.pk}")
    if not from_parent:
        relay.relay_answer(package, delivery, message)
    return message


@transaction.atomic
def acknowledge_status(
    message: StatusMessage, *, actor, refused: str = "", reason: str = ""
) -> StatusMessage:
    """The sender's side took a status packet from the hub (pull): it leaves the pending list.
    ``refused`` (a code, with ``reason``): the caller could not apply it (a provincial hub whose
    checks refused it); kept in ``refusal``, off the pending list all the same."""
    policy.check(actor, "documents.send", message)
    message = StatusMessage.objects.select_for_update().get(pk=message.pk)
    if message.pulled_at is None:
        message.pulled_at = timezone.now()
        message.refusal = refusal_text(refused, reason) if refused else ""
        message.save(update_fields=["pulled_at", "refusal"])
        summary = {"document_id": message.package.document_id, "code": message.code}
        if refused:
            summary.update(refused=refused, reason=reason[:500])
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.status_rejected" if refused else "exchange.status_pulled",
            obj=message,
            organisation=message.package.sender_id,
            summary=summary,
        )
    return message


def _illegal(current: str, code: str) -> HubError:
    return HubError(
        "illegal_sequence",
        _("Status %(code)s cannot follow %(current)s.") % {"code": code, "current": current},
        element="Header/StatusCode",
        rule="sequence",
        status=409,
    )
