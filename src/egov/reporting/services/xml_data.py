"""A submission's data as an XML document, signed enveloped (XMLDSig) by the organisation's
signer: the other form of issue 18 §3's signature, beside the signed report PDF
(services.signing). The format, in its own namespace::

    <ReportData xmlns="urn:egov:reporting:data:1">
      <Regime code="bc-thang">Báo cáo tháng …</Regime>           the regime's code (its name
      <Organisation code="000.00.01.H01">Xã A</Organisation>      and the organisation's, for
      <Period year="2025" number="3"/>                            a reader: the codes count)
      <Values>
        <Value indicator="svc_dossiers_received">120</Value>
        <Value indicator="pop_total" disaggregation="f.urban">45.5</Value>
      </Values>
      <Version>2025-04-02T03:15:00.123456Z</Version>  the report's version (see below)
      <Revision>1</Revision>                          its revisions (optional, 0 if absent)
      <SignedAt>2025-04-02T03:16:00Z</SignedAt>       (optional)
      <ds:Signature>…</ds:Signature>                  RSA-SHA256, the signer's certificate
    </ReportData>

``indicator`` is the indicator's code (key), ``disaggregation`` its category option codes
joined by dots as the form, the .xlsx and the API write them, the value a plain decimal.

Two ways in: :func:`sign` makes the document of a submission sent already and signs it as the
signer through the signing service (the key never leaves it: it signs the digest of SignedInfo);
:func:`submit_signed` takes a document signed elsewhere (a USB token's software, another
system: anything that writes standard XMLDSig), verifies it, submits its values through
services.submissions.submit (the same checks as every other way in) and keeps the document, in
one transaction. Either way the signer is an official *of the reporting organisation* who may
submit its reports, named by their personal certificate (its UID, ``official-<pk>``), and the
certificate chains to the platform's CA. :func:`check` verifies a kept document again on read.

Replays. A signed document binds the report (regime, organisation, period) and the version of
its values: ``Version`` is the report's ``submitted_at`` and ``Revision`` the number of
corrections of its approved values. In a document made here they name the version signed; in
an uploaded one, the version its values replace (absent both: a first report of the period),
as an ``If-Match``: a document prepared against an earlier version is stale and refused (409,
code ``stale``), checked under the report's lock. A document is accepted once: the digest of
what its signature covers is unique in the table (409, code ``replayed``); two posts of it at
once meet at the unique index. A refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from egov.accounts import policy
from egov.accounts.models import Official
from egov.accounts.signing import holder_of_official
from egov.core.models import Organisation
from egov.core.services import audit
from egov.core.signing import people, pki, verify_xml, xmldsig
from egov.core.signing import signer as service_api

from .. import scopes
from ..models import DataSignature, ReportingRegime, Submission
from . import submissions
from .signing import signer_of

NS = "urn:egov:reporting:data:1"
ROOT = f"{{{NS}}}ReportData"
MAX_DOCUMENT = 5 * 1024 * 1024  # 10,000 values (the API's limit) with long codes fit easily
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(STAMP)


def document(submission: Submission, signed_at: dt.datetime) -> etree._Element:
    """The unsigned data document of ``submission``'s current version."""
    regime, organisation = submission.regime, submission.organisation
    root = etree.Element(ROOT, nsmap={None: NS})
    etree.SubElement(root, _q("Regime"), code=regime.code).text = regime.name
    etree.SubElement(root, _q("Organisation"), code=organisation.code).text = organisation.name
    etree.SubElement(root, _q("Period"), year=str(submission.year), number=str(submission.number))
    values = etree.SubElement(root, _q("Values"))
    rows = submission.values.select_related("indicator").order_by(
        "indicator__key", "disaggregation"
    )
    for row in rows:
        node = etree.SubElement(values, _q("Value"), indicator=row.indicator.key)
        if row.disaggregation:
            node.set("disaggregation", row.disaggregation)
        node.text = _plain(row.value)
    etree.SubElement(root, _q("Version")).text = _stamp(submission.submitted_at)
    revision = submission.revisions.count()
    if revision:
        etree.SubElement(root, _q("Revision")).text = str(revision)
    etree.SubElement(root, _q("SignedAt")).text = _stamp(signed_at)
    return root


@dataclass(frozen=True)
class Content:
    regime: str
    organisation: str
    year: int
    number: int
    entries: list[submissions.Entry]
    version: dt.datetime | None
    revision: int = 0


@dataclass(frozen=True)
class Verified:
    content: Content
    holder: str  # the signer's holder id, from the certificate's UID
    subject: str
    digest: str  # SHA-256 of what the signature covers: the document's identity


class Refused(ValidationError):
    """A signed document refused for the report's state, not its form (the API's 409):
    ``replayed`` (accepted already) or ``stale`` (prepared for an earlier version)."""

    def __init__(self, message, code: str):
        super().__init__(message, code=code)


def _invalid(message) -> ValidationError:
    return ValidationError(message, code="signature")


def read(root: etree._Element) -> Content:
    """The content of a signed document (``root``: what the signature covers)."""
    if root.tag != ROOT:
        raise _invalid(_("The signed document is not a report's data."))

    def one(name: str) -> etree._Element:
        nodes = root.findall(_q(name))
        if len(nodes) != 1:
            raise _invalid(
                _("The report's data is not valid: %(field)s is missing.") % {"field": name}
            )
        return nodes[0]

    period = one("Period")
    try:
        year, number = int(period.get("year", "")), int(period.get("number", ""))
    except ValueError:
        raise _invalid(_("The report's data is not valid: the period cannot be read.")) from None
    entries = [
        submissions.Entry(
            node.get("indicator", ""), (node.text or "").strip(), node.get("disaggregation", "")
        )
        for node in one("Values").findall(_q("Value"))
    ]
    return Content(
        regime=one("Regime").get("code", ""),
        organisation=one("Organisation").get("code", ""),
        year=year,
        number=number,
        entries=entries,
        version=_version(root),
        revision=_revision(root),
    )


def _optional(root, name: str) -> str | None:
    nodes = root.findall(_q(name))
    if len(nodes) > 1:
        raise _invalid(
            _("The report's data is not valid: %(field)s is given twice.") % {"field": name}
        )
    return (nodes[0].text or "").strip() if nodes else None


def _version(root) -> dt.datetime | None:
    text = _optional(root, "Version")
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _invalid(_("The report's data is not valid: the version cannot be read."))
    return moment


def _revision(root) -> int:
    text = _optional(root, "Revision")
    if text is None:
        return 0
    if not text.isdigit():
        raise _invalid(_("The report's data is not valid: the revision cannot be read."))
    return int(text)


def verify(data: bytes) -> Verified:
    """The content as signed, or ValidationError (Vietnamese): unsigned, altered, signed with a
    certificate that does not chain to the CA or is not a person's, or not a report's data."""
    if not data.strip():
        raise _invalid(_("The report's data is not signed."))
    if len(data) > MAX_DOCUMENT:
        raise _invalid(_("The report's data document is too large."))
    result = verify_xml(data)
    if not result.valid:
        raise _invalid(
            _(
                "The signature of the report's data is not valid: the document was altered or "
                "not signed with a certificate we trust."
            )
        )
    root = result.signed_element  # what the signature covers, not the bytes handed in
    if root is None:
        raise _invalid(_("The signed document is not a report's data."))
    holder = people.holder_id_of(result.certificate)
    if not holder:
        raise _invalid(_("The report's data must be signed with a person's certificate."))
    digest = hashlib.sha256(result.signed_octets).hexdigest()
    return Verified(read(root), holder, pki.subject_text(result.certificate), digest)


def signer_official(holder: str, organisation: Organisation) -> Official:
    """The official a certificate names, if they sign for ``organisation``: an official of it
    who may submit its reports (as services.signing.signer_of); PermissionDenied otherwise."""
    pk = holder.removeprefix("official-")
    official = (
        Official.objects.select_related("user", "organisation").filter(pk=pk).first()
        if holder.startswith("official-") and pk.isdigit()
        else None
    )
    if (
        official is None
        or official.organisation_id != organisation.pk
        or not policy.can(official.user, scopes.SUBMIT, Submission(organisation=organisation))
    ):
        raise PermissionDenied(
            _("The report's data is not signed by an official of the reporting organisation.")
        )
    return official


def _replayed() -> Refused:
    return Refused(
        _(
            "This signed document was accepted already: a signed document is accepted once. "
            "To send the report again, sign its data again."
        ),
        code="replayed",
    )


def _accepted_already(digest: str) -> bool:
    return DataSignature.objects.filter(signed_digest=digest).exists()


def _keep(
    submission, official, data: bytes, signed_at, *, signed_digest: str, uploaded: bool
) -> DataSignature:
    digest = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction refuses as a whole
            signature = DataSignature.objects.create(
                submission=submission,
                version=submission.submitted_at,
                revision=submission.revisions.count(),
                signed_by=official.user,
                holder=holder_of_official(official).id,
                signed_at=signed_at,
                document=data,
                sha256=digest,
                signed_digest=signed_digest,
                uploaded=uploaded,
            )
    except IntegrityError:
        # The same document posted at the same moment: the unique index decided.
        raise _replayed() from None
    audit.record(
        actor=official.user,
        action="reporting.data_signed",
        obj=submission,
        organisation=submission.organisation,
        summary={
            "data_signature": signature.pk,
            "holder": signature.holder,
            "sha256": digest,
            "signed_digest": signed_digest,
            "version": submission.submitted_at.isoformat(),
            "revision": signature.revision,
            "uploaded": uploaded,
        },
    )
    return signature


def sign(submission: Submission, *, actor) -> DataSignature:
    """Make the data document of ``submission`` and sign it as ``actor`` (the organisation's
    signer), through the signing service; kept with one audit row."""
    official = signer_of(actor, submission)
    holder = holder_of_official(official)
    version, revision = submissions.version_of(submission)
    signed_at = timezone.now()
    root = document(submission, signed_at)
    service = service_api.signing_service()
    try:
        credential = service.credential(holder)

        def raw(data: bytes) -> bytes:
            request = service_api.DigestRequest(
                holder=holder,
                key_id=credential.key_id,
                certificate_sha256=credential.fingerprint,
                digest=hashlib.sha256(data).digest(),
                digest_algorithm="sha256",
                description=_("Report data signed: %(regime)s")
                % {"regime": submission.regime.name},
            )
            answer = service.sign_digest(request)
            service_api.check_answer(request, answer)
            return answer.signature

        xmldsig.sign_enveloped_with(root, raw, [credential.certificate, *credential.chain])
    except service_api.SigningRefused as exc:
        raise PermissionDenied(exc.message) from None
    except service_api.SigningError as exc:
        raise ValidationError(exc.message) from None
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    # Its identity as an upload will compute it: a platform-signed document posted back is a
    # replay like any other.
    signed_digest = verify(data).digest
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if submissions.version_of(locked) != (version, revision):
            raise ValidationError(_("The report was sent again while it was being signed."))
        return _keep(locked, official, data, signed_at, signed_digest=signed_digest, uploaded=False)


def submit_signed(actor, data: bytes, *, confirm: bool = False) -> DataSignature:
    """Submit the values of a data document signed elsewhere, and keep the document: nothing
    is written unless the signature verifies, the signer signs for the organisation and the
    values pass every check of services.submissions."""
    verified = verify(data)
    content = verified.content
    regime = ReportingRegime.objects.filter(code=content.regime).first()
    organisation = Organisation.objects.filter(code=content.organisation).first()
    if regime is None or organisation is None:
        raise ValidationError(_("Unknown regime or organisation."))
    # The caller's own right to submit first (a 403 for them, before naming anyone else).
    policy.check(actor, scopes.SUBMIT, Submission(organisation=organisation))
    official = signer_official(verified.holder, organisation)
    # Refused before the values' checks: a replay is not worth them (the unique index is what
    # decides a race; this is the plain case's answer).
    if _accepted_already(verified.digest):
        raise _replayed()
    try:
        with transaction.atomic():
            submission = submissions.submit(
                actor=actor,
                regime=regime,
                organisation=organisation,
                year=content.year,
                number=content.number,
                entries=content.entries,
                confirm=confirm,
                expected=(content.version, content.revision),
            )
            return _keep(
                submission,
                official,
                data,
                timezone.now(),
                signed_digest=verified.digest,
                uploaded=True,
            )
    except submissions.Stale:
        raise Refused(
            _(
                "The signed data was prepared for an earlier version of this report, which has "
                "been sent or corrected since: read the report's current version and sign its "
                "data again."
            ),
            code="stale",
        ) from None


@dataclass(frozen=True)
class Check:
    valid: bool
    current: bool  # the signature is of the version sent last
    message: str


def check(signature: DataSignature) -> Check:
    """Verify a kept document again (on every read): its signature, its signer, and that it
    says what the submission holds when it is the current version."""
    submission = signature.submission
    current = (signature.version, signature.revision) == submissions.version_of(submission)
    try:
        verified = verify(bytes(signature.document))
    except ValidationError as exc:
        return Check(False, current, " ".join(exc.messages))
    content = verified.content
    same = (
        content.regime == submission.regime.code
        and content.organisation == submission.organisation.code
        and (content.year, content.number) == (submission.year, submission.number)
        and verified.holder == signature.holder
    )
    if same and current:
        held = {
            (v.indicator.key, v.disaggregation): v.value
            for v in submission.values.select_related("indicator")
        }
        try:
            signed = {(e.indicator, e.disaggregation): _decimal(e.value) for e in content.entries}
        except ArithmeticError:
            signed = None
        same = signed == held
    if not same:
        return Check(False, current, _("The signed data does not match the report."))
    return Check(True, current, _("The signature of the report's data is valid."))


def _decimal(text) -> Decimal:
    return Decimal(str(text))


def current_signature(submission: Submission) -> DataSignature | None:
    return (
        DataSignature.objects.filter(
            submission=submission,
            version=submission.submitted_at,
            revision=submission.revisions.count(),
        )
        .defer("document")
        .first()
    )
