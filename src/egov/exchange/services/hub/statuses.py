"""Status packets and what follows a document once sent: the recipients' answers (business
statuses 02-06), the sender's recall (13) and the recipients' answers to it (15, 16), and the
update or replacement of an earlier document (a new package naming it, see :func:`referenced`).

::

    statuses.accept_status(xml_bytes, actor=request)     # a signed status packet, checked
    statuses.acknowledge_status(message, actor=request)  # the sender's side pulled it

Each status is checked as a package is (:mod:`.checks`), kept with an evidence row and audited
in one transaction; it is pushed to the webhook of the package's sender and, on a provincial
hub, relayed to the parent when the other side is there.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.models import Organisation
from egov.core.services import audit
from egov.exchange import edxml
from egov.exchange.models import BusinessType, Delivery, Package, StatusCode, StatusMessage
from egov.exchange.services import evidence
from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import checks, deliveries
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay import outbound

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


def referenced(pkg: edxml.Package, sender: Organisation) -> Package | None:
    """The earlier package that an update or replacement names (None for a new document);
    only its own sender may update or replace it. A recall is a status packet, not a package."""
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


def accept_status(data: bytes, *, actor) -> StatusMessage:
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _accept_status(data, sha, actor)
    except HubError as error:
        raise checks.record_refusal(actor, error, "status", sha) from None


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
        raise checks.record_refusal("system:parent", error, "parent_status", sha) from None


def _accept_status(data: bytes, sha: str, actor, from_parent: bool = False) -> StatusMessage:
    _root, status, signer = checks.load_and_verify(data, "status")
    code = status.code
    scope = "documents.send" if code == StatusCode.RECALL else "documents.receive"
    sender = checks.check_sender(
        actor, signer, status.from_.organ_id, None if from_parent else scope
    )
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
    if (
        from_parent
        and code == StatusCode.RECALL
        and not parent_hub.relays(sender, checks.hub_organisation())
    ):
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
        timestamp=status.timestamp.replace(tzinfo=checks.VN),
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
    package_deliveries = list(
        Delivery.objects.select_for_update(of=("self",))
        .select_related("recipient__mailbox")
        .filter(package=package)
    )
    if package.recalled_at or any(d.recall_status == StatusCode.RECALL for d in package_deliveries):
        raise HubError(
            "illegal_sequence",
            _("A recall of this document is already under way or done."),
            element="Header/StatusCode",
            rule="sequence",
            status=409,
        )
    Delivery.objects.filter(package=package).update(recall_status=StatusCode.RECALL)
    for d in package_deliveries:
        d.recall_status = StatusCode.RECALL
    message = (
        _message(package, package_deliveries[0], sender, status, data, sha)
        if package_deliveries
        else None
    )
    for d in package_deliveries:
        if not d.via:
            deliveries.push(d, "recall", f"recall:{d.pk}:{sha[:16]}")
    outbound.relay_recall(package_deliveries, message)
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
            deliveries.mark_delivered(delivery, actor)
        delivery.status = code
        delivery.save(update_fields=["status"])
    message = _message(package, delivery, sender, status, data, sha)
    deliveries.push(delivery, "status", f"status:{message.pk}", status_id=message.pk)
    if not from_parent:
        outbound.relay_answer(package, delivery, message)
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
        message.refusal = deliveries.refusal_text(refused, reason) if refused else ""
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
