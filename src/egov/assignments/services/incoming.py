"""Tasks from an incoming document's assignments: a document the assigning organisation received
through the exchange (a ``Delivery`` in its mailbox) becomes the tasks' source, its number and
symbol, date, type and signer read from the package's signed edXML as the sender sent it; the
official only writes what each task is, who leads it and by when.

The exchange sits below this app (pyproject.toml's layers): this module reads the exchange's
rows and stored packages; the exchange knows nothing of tasks.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.assignments.errors import AssignmentError
from egov.assignments.models import Origin, SourceType
from egov.assignments.services.creation import SourceDocument, create_assignment, government_office
from egov.exchange import edxml
from egov.exchange import scopes as exchange_scopes
from egov.exchange.models import Delivery, StatusCode, TransportState
from egov.exchange.services.hub import packages

# The notation's first part names the type (Decree 30/2020/NĐ-CP, appendix III): "45/TB-VPCP".
_BY_NAME = {
    "nghị quyết": SourceType.RESOLUTION,
    "quyết định": SourceType.DECISION,
    "chỉ thị": SourceType.DIRECTIVE,
    "thông báo": SourceType.CONCLUSION,
    "công điện": SourceType.DISPATCH,
    "biên bản": SourceType.MINUTES,
    "công văn": SourceType.LETTER,
}


def source_type(notation: str, type_name: str) -> str:
    """The task's source type from the package: the notation's abbreviation ("TB-VPCP" -> TB),
    else the type's name ("Quyết định"), else an official letter (công văn has no abbreviation)."""
    head = (notation or "").split("-")[0].strip().upper()
    known = {c.value.upper(): c.value for c in SourceType}
    if head in known:
        return known[head]
    return _BY_NAME.get((type_name or "").strip().lower(), SourceType.LETTER)


def received(actor, organisation=None) -> QuerySet:
    """The documents ``organisation`` (default: the Government Office) received that ``actor``
    may read in its mailbox, newest first: not recalled, not rejected, not failed."""
    organisation = organisation or government_office()
    qs = policy.scope_queryset(
        actor,
        exchange_scopes.RECEIVE,
        Delivery.objects.select_related("package__sender").filter(recipient=organisation),
    )
    return (
        qs.filter(package__recalled_at__isnull=True)
        .exclude(status=StatusCode.REJECTED)
        .exclude(transport_state=TransportState.FAILED)
        .order_by("-created_at", "-pk")
    )


def source_of(delivery: Delivery) -> SourceDocument:
    """The source document as the sender's signed package states it."""
    package = delivery.package
    parsed = edxml.parse(
        edxml.load(packages.package_bytes(package, original=True), huge=True), decode=False
    )
    header = parsed.header
    signer = next((s for s in header.signers if (s.full_name or "").strip()), None)
    return SourceDocument(
        number=f"{header.code_number}/{header.code_notation}",
        date=header.promulgation_date,
        type=source_type(header.code_notation, header.type_name),
        signer=signer.full_name.strip() if signer else "",
        package=package,
    )


def create_from_incoming(actor, delivery: Delivery, **task) -> object:
    """One task from the received document (call it once per task the document assigns). The
    actor must read the delivery in the assigner's mailbox and assign tasks there; ``task``:
    create_assignment's other arguments (content, lead, coordinators, deadline, ...)."""
    assigner = task.pop("assigner", None) or government_office()
    if (
        delivery.recipient_id != assigner.pk
        or not received(actor, assigner).filter(pk=delivery.pk).exists()
    ):
        raise PermissionDenied(
            _("Only a document the assigning organisation received, read by you, can be used.")
        )
    document = source_of(delivery)
    if not document.signer:
        raise AssignmentError(
            {"delivery": [_("The received document names no signer.")]}, code="source"
        )
    return create_assignment(
        actor,
        document=document,
        source=Origin.INCOMING,
        source_ref=delivery.package.document_id,
        assigner=assigner,
        **task,
    )


__all__ = ["create_from_incoming", "received", "source_of", "source_type"]
