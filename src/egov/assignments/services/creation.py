"""Assigning a task: by hand (the Government Office's page or API), from an e-Cabinet conclusion
(issue 19 will call :func:`create_assignment` with ``source=Origin.CABINET``) or from an incoming
document's assignments.

Bad input (two leads or none, a deadline before the source document's date, the person
responsible outside the lead, ...) is an AssignmentError with the field and a sentence in
Vietnamese; nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.assignments import scopes
from egov.assignments.errors import AssignmentError
from egov.assignments.models import (
    RECURRING,
    Assignment,
    DeadlineKind,
    Origin,
    SourceType,
    Stage,
)
from egov.assignments.services._common import record
from egov.assignments.status import due_day_for
from egov.core.models import Organisation


@dataclass(frozen=True)
class SourceDocument:
    """The document that assigns the task: typed (a paper source), or from the exchange
    (:func:`from_exchange`)."""

    number: str
    date: date
    type: str
    signer: str
    exchange_document: object | None = None
    # A document received through the exchange (egov.exchange.models.Package): see incoming.py.
    package: object | None = None


def from_exchange(document) -> SourceDocument:
    """A registered document of the exchange (egov.exchange.models.OfficialDocument)."""
    known = {c.value for c in SourceType}
    kind = document.document_type if document.document_type in known else SourceType.LETTER
    return SourceDocument(
        number=document.notation,
        date=document.promulgation_date,
        type=kind,
        signer=document.signer_name,
        exchange_document=document,
    )


def government_office() -> Organisation:
    """The organisation that assigns tasks here: the one running the instance."""
    org = Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).order_by("-pk").first()
    if org is None:
        raise AssignmentError(
            _("This installation has no Government Office to assign tasks."), code="no_office"
        )
    return org


def one_lead(lead) -> Organisation:
    """Exactly one lead (Decree 39/2022/NĐ-CP): an organisation, or a list holding one."""
    if isinstance(lead, Organisation):
        return lead
    leads = [o for o in (lead or ()) if o is not None] if isinstance(lead, Sequence) else []
    if len(leads) != 1:
        raise AssignmentError(
            {
                "lead": [
                    _(
                        "A task has exactly one lead organisation: %(count)s were given. Choose "
                        "one lead; the others can coordinate."
                    )
                    % {"count": len(leads)}
                ]
            },
            code="one_lead",
        )
    return leads[0]


def _check_deadline(kind: str, deadline: date | None, source: SourceDocument) -> None:
    if kind not in DeadlineKind.values:
        raise AssignmentError({"deadline_kind": [_("Choose a kind of deadline.")]}, code="kind")
    if kind == DeadlineKind.ONGOING:
        if deadline is not None:
            raise AssignmentError(
                {"deadline": [_("An ongoing task has no deadline date.")]}, code="ongoing"
            )
        return
    if deadline is None:
        raise AssignmentError(
            {"deadline": [_("Give the deadline date, or make the task ongoing.")]},
            code="deadline",
        )
    if deadline < source.date:
        raise AssignmentError(
            {
                "deadline": [
                    _("The deadline %(deadline)s is before the source document's date %(date)s.")
                    % {
                        "deadline": deadline.strftime("%d/%m/%Y"),
                        "date": source.date.strftime("%d/%m/%Y"),
                    }
                ]
            },
            code="deadline_before_source",
        )


def _check_source(source: SourceDocument) -> None:
    errors = {}
    if not (source.number or "").strip():
        errors["source_number"] = [_("Give the source document's number and symbol.")]
    if not (source.signer or "").strip():
        errors["source_signer"] = [_("Give who signed the source document.")]
    if source.type not in SourceType.values:
        errors["source_type"] = [_("Choose the source document's type.")]
    if errors:
        raise AssignmentError(errors, code="source")


def create_assignment(
    actor,
    *,
    document: SourceDocument,
    content: str,
    lead,
    coordinators: Iterable[Organisation] = (),
    deadline: date | None = None,
    deadline_kind: str = DeadlineKind.DATE,
    responsible=None,
    is_key: bool = False,
    source: str = Origin.MANUAL,
    source_ref: str = "",
    assigner: Organisation | None = None,
    on: date | None = None,
) -> Assignment:
    """Assign a task. ``source`` says where it comes from (``Origin``: by hand, an e-Cabinet
    conclusion, an incoming document) and ``source_ref`` which one. The actor needs
    ``assignments.manage`` at the assigning organisation (default: the Government Office)."""
    lead = one_lead(lead)
    coordinators = list(dict.fromkeys(coordinators))
    if lead in coordinators:
        raise AssignmentError(
            {"coordinators": [_("The lead organisation cannot also coordinate.")]},
            code="lead_coordinates",
        )
    content = (content or "").strip()
    if not content:
        raise AssignmentError({"content": [_("Say what the task is.")]}, code="required")
    if source not in Origin.values:
        raise AssignmentError({"source": [_("Unknown origin of the task.")]}, code="origin")
    _check_source(document)
    _check_deadline(deadline_kind, deadline, document)
    if responsible is not None and responsible.organisation_id != lead.pk:
        raise AssignmentError(
            {
                "responsible": [
                    _("The person responsible must be an official of the lead organisation.")
                ]
            },
            code="responsible",
        )
    assigner = assigner or government_office()
    if not policy.can(actor, scopes.MANAGE, assigner):
        raise PermissionDenied(_("Only the Government Office can assign tasks."))
    due_on = due_day_for(deadline, lead)
    with transaction.atomic():
        assignment = Assignment.objects.create(
            source_document=document.exchange_document,
            source_package=document.package,
            source_number=document.number.strip(),
            source_date=document.date,
            source_type=document.type,
            source_signer=document.signer.strip(),
            origin=source,
            origin_ref=source_ref,
            content=content,
            is_key=is_key,
            assigner=assigner,
            lead=lead,
            responsible=responsible,
            deadline_kind=deadline_kind,
            deadline=deadline,
            due_on=due_on,
            original_deadline=deadline,
            original_due_on=due_on,
            stage=Stage.OPEN,
            assigned_on=on or timezone.localdate(),
        )
        if coordinators:
            assignment.coordinators.set(coordinators)
        record(
            actor,
            assignment,
            "create",
            lead=lead.code,
            coordinators=[o.code for o in coordinators],
            deadline=deadline.isoformat() if deadline else None,
            deadline_kind=deadline_kind,
            origin=source,
            origin_ref=source_ref,
            recurring=deadline_kind in RECURRING,
        )
    return assignment


__all__ = ["SourceDocument", "create_assignment", "from_exchange", "government_office", "one_lead"]
