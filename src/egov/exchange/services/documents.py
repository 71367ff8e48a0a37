"""Official documents inside an organisation: the clerk registers, then sends through the hub.

    doc = documents.register(org, DocumentData(...), pdf=bytes, actor=request)
    documents.send(doc, actor=request)   # edXML package signed as the organisation, via the hub

Numbers are unique per organisation per year and come from a sequence that restarts on
1 January: one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement, atomic on PostgreSQL
and SQLite alike, so concurrent registrations never get the same number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core import numbering
from egov.core.models import Organisation
from egov.core.services import audit
from egov.core.signing import verify_pdf
from egov.core.signing.people import Holder
from egov.core.signing.personal import sign_pdf_as
from egov.core.signing.signer import SigningError
from egov.exchange import edxml
from egov.exchange.models import (
    DocumentSequence,
    DocumentType,
    OfficialDocument,
    Package,
    StatusCode,
)
from egov.exchange.services.hub import checks, packages, statuses

MAX_PDF = 20 * 1024 * 1024


@dataclass
class DocumentData:
    document_type: str
    subject: str
    signer_name: str
    signer_position: str = ""
    priority: int = 0
    due_date: dt.date | None = None
    promulgation_date: dt.date | None = None
    recipients: list[Organisation] = field(default_factory=list)


def next_number(organisation: Organisation, year: int) -> int:
    """The next number of ``organisation`` in ``year`` (1 on the first document of a year)."""
    return numbering.draw(DocumentSequence, organisation=organisation.pk, year=year)


def abbreviation(organisation: Organisation) -> str:
    if organisation.abbreviation:
        return organisation.abbreviation
    words = re.findall(r"\w+", organisation.name)
    return "".join(w[0] for w in words).upper()[:12] or organisation.code


def notation(organisation: Organisation, document_type: str) -> str:
    """Decree 30/2020: "<type>-<issuer>" (QĐ-UBND); an official letter (CV) has no type part."""
    issuer = abbreviation(organisation)
    return issuer if document_type == DocumentType.CV else f"{document_type}-{issuer}"


def check_pdf(pdf: bytes, organisation: Organisation) -> None:
    """By content, not by name: a PDF, signed, the signature intact, by this organisation."""
    if len(pdf) > MAX_PDF:
        raise ValidationError(
            {"pdf": ValidationError(_("The file is larger than 20 MB."), code="too_large")}
        )
    if not pdf.startswith(b"%PDF-"):
        raise ValidationError({"pdf": ValidationError(_("The file is not a PDF."), code="not_pdf")})
    result = verify_pdf(pdf)
    if not result.signatures:
        raise ValidationError(
            {"pdf": ValidationError(_("The PDF is not signed."), code="unsigned")}
        )
    if not (result.intact and result.trusted):
        raise ValidationError(
            {
                "pdf": ValidationError(
                    _("The PDF's signature does not verify."), code="bad_signature"
                )
            }
        )
    if result.signer_code != organisation.code:
        raise ValidationError(
            {
                "pdf": ValidationError(
                    _("The PDF is signed by another organisation."), code="other_signer"
                )
            }
        )


def sign_as(pdf: bytes, holder: Holder, organisation: Organisation) -> bytes:
    """The clerk's personal signature on the document's PDF (egov.core.signing.personal), for
    their own organisation only: the hub checks that the PDF is signed by the sender."""
    if holder.organisation_code != organisation.code:
        raise ValidationError(
            {
                "pdf": ValidationError(
                    _("Your personal certificate is of %(org)s: you can sign only its documents.")
                    % {"org": holder.organisation_name},
                    code="other_signer",
                )
            }
        )
    try:
        return sign_pdf_as(
            pdf, holder, reason=_("Issuing the document"), location=organisation.name
        )
    except SigningError as exc:
        raise ValidationError({"pdf": ValidationError(exc.message, code="signing")}) from None


def register(
    organisation: Organisation,
    data: DocumentData,
    *,
    pdf: bytes,
    actor,
    signer: Holder | None = None,
):
    """Register an outgoing document; with ``signer`` (the clerk's holder) the PDF is signed
    with their personal certificate first. The PDF must end up signed by the organisation (its
    seal or one of its officials)."""
    decision = policy.check(actor, "documents.send", organisation)
    if data.document_type not in DocumentType.values:
        raise ValidationError({"document_type": _("Unknown document type.")})
    if not data.subject.strip():
        raise ValidationError({"subject": _("A subject is required.")})
    if signer is not None:
        pdf = sign_as(pdf, signer, organisation)
    check_pdf(pdf, organisation)
    sha = hashlib.sha256(pdf).hexdigest()
    name = f"exchange/documents/{sha}.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(pdf))
    day = data.promulgation_date or timezone.localdate()
    with transaction.atomic():
        number = next_number(organisation, day.year)
        doc = OfficialDocument.objects.create(
            organisation=organisation,
            year=day.year,
            number=number,
            document_type=data.document_type,
            notation=notation(organisation, data.document_type),
            subject=data.subject.strip(),
            signer_name=data.signer_name,
            signer_position=data.signer_position,
            promulgation_date=day,
            priority=data.priority,
            due_date=data.due_date,
            pdf=name,
            pdf_sha256=sha,
            created_at=timezone.now(),
        )
        doc.recipients.set(data.recipients)
        policy.audit(
            actor,
            "exchange.document_registered",
            doc,
            decision,
            summary={"number": doc.number_notation}
            | ({"signed_by": signer.id} if signer is not None else {}),
            organisation=organisation,
        )
    return doc


def build_package(doc: OfficialDocument) -> edxml.Package:
    org = doc.organisation
    with default_storage.open(doc.pdf, "rb") as handle:
        pdf = handle.read()
    now = checks.now_vn()
    return edxml.Package(
        header=edxml.MessageHeader(
            from_=edxml.Organ(org.code, org.name),
            to=[edxml.Organ(r.code, r.name) for r in doc.recipients.order_by("code")],
            code_number=doc.number,
            code_notation=doc.notation,
            promulgation_date=doc.promulgation_date,
            subject=doc.subject,
            type_name=DocumentType(doc.document_type).label,
            signers=[edxml.Signer(doc.signer_name, position=doc.signer_position)],
            due_date=doc.due_date,
            priority=doc.priority,
        ),
        trace=[edxml.TraceHeader(org.code, now)],
        attachments=[edxml.Attachment(f"{doc.number_notation.replace('/', '-')}.pdf", pdf)],
    )


def send(doc: OfficialDocument, *, actor) -> Package:
    """Package, sign as the organisation and hand to the hub; a second call changes nothing."""
    policy.check(actor, "documents.send", doc)
    if doc.package_id:
        return doc.package
    if not doc.recipients.exists():
        raise ValidationError({"recipients": _("Choose at least one recipient.")})
    data = edxml.sign(edxml.build(build_package(doc)), doc.organisation)
    with transaction.atomic():
        doc = OfficialDocument.objects.select_for_update().get(pk=doc.pk)
        if doc.package_id:
            return doc.package
        result = packages.accept_package(data, actor=actor)
        doc.package = result.package
        doc.state = OfficialDocument.State.SENT
        doc.save(update_fields=["package", "state"])
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.document_sent",
            obj=doc,
            organisation=doc.organisation,
            summary={"document_id": result.package.document_id},
        )
    return result.package


def answer(delivery, code: str, *, description: str = "", actor, staff: str = ""):
    """The recipient's clerk answers (02-06, 15, 16): a status packet signed as the recipient."""
    org = delivery.recipient
    pkg = delivery.package
    status = edxml.Status(
        response_for=edxml.ResponseFor(pkg.sender.code, pkg.document_id, pkg.number_notation),
        from_=edxml.Organ(org.code, org.name),
        code=code,
        timestamp=checks.now_vn(),
        description=description,
        staff=edxml.StaffInfo(staff=staff) if staff else None,
    )
    return statuses.accept_status(edxml.sign(edxml.build_status(status), org), actor=actor)


def recall(package: Package, *, reason: str, actor):
    """The sender's clerk recalls a document (13): a status packet signed as the sender."""
    org = package.sender
    status = edxml.Status(
        response_for=edxml.ResponseFor(org.code, package.document_id, package.number_notation),
        from_=edxml.Organ(org.code, org.name),
        code=StatusCode.RECALL,
        timestamp=checks.now_vn(),
        description=reason,
    )
    return statuses.accept_status(edxml.sign(edxml.build_status(status), org), actor=actor)
