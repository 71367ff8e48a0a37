"""The signed answer document: what a member signs when answering a ballot's question.

An XML document in its own namespace, signed with an enveloped XMLDSig (RSA-SHA256, exclusive
c14n, the signer's certificate in X509Data: egov.core.signing.xmldsig's profile)::

    <BallotAnswer xmlns="urn:egov:cabinet:ballot-answer:1">
      <Ballot number="12">34</Ballot>            the ballot's id (and number, for a reader)
      <Question>56</Question>                     the question's id ...
      <QuestionText>…</QuestionText>              ... and its exact text: one cannot sign one
                                                  question and have it counted for another
      <Choice>agree|disagree|other</Choice>
      <Text>…</Text>                              the opinion ("other": required)
      <Member>official-7</Member>                 whose answer it is (their holder id) ...
      <MemberName>…</MemberName>
      <CastBy>official-7</CastBy>                 ... and who signed it (the member or their
                                                  authorised assistant)
      <SignedAt>2026-12-07T02:15:00Z</SignedAt>
      <ds:Signature>…</ds:Signature>
    </BallotAnswer>

:func:`sign` makes it through the signing service (the signer's key never leaves the service:
it signs the digest of the canonical SignedInfo). :func:`verify` is what the platform trusts on
receipt: a valid signature chaining to the CA, fields read from the signed octets only, and the
certificate issued to the ``CastBy`` person (its UID). The caller then checks the fields against
the ballot (egov.cabinet.services.ballots).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from egov.core.signing import people, pki, verify_xml, xmldsig
from egov.core.signing import signer as service_api
from egov.core.signing.people import Holder

NS = "urn:egov:cabinet:ballot-answer:1"
ROOT = f"{{{NS}}}BallotAnswer"
MAX_DOCUMENT = 64 * 1024  # an answer with a long opinion and a certificate chain fits easily
MAX_TEXT = 10_000


@dataclass(frozen=True)
class Content:
    ballot_id: int
    ballot_number: int
    question_id: int
    question: str
    choice: str
    text: str
    member: str  # the member's holder id, "official-<pk>"
    member_name: str
    cast_by: str  # the signer's holder id
    signed_at: dt.datetime


@dataclass(frozen=True)
class Verified:
    content: Content
    document: str
    sha256: str
    certificate: x509.Certificate
    subject: str

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def build(content: Content) -> etree._Element:
    root = etree.Element(ROOT, nsmap={None: NS})
    ballot = etree.SubElement(root, _q("Ballot"), number=str(content.ballot_number))
    ballot.text = str(content.ballot_id)
    etree.SubElement(root, _q("Question")).text = str(content.question_id)
    etree.SubElement(root, _q("QuestionText")).text = content.question
    etree.SubElement(root, _q("Choice")).text = content.choice
    etree.SubElement(root, _q("Text")).text = content.text
    etree.SubElement(root, _q("Member")).text = content.member
    etree.SubElement(root, _q("MemberName")).text = content.member_name
    etree.SubElement(root, _q("CastBy")).text = content.cast_by
    signed_at = content.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    etree.SubElement(root, _q("SignedAt")).text = signed_at
    return root


def sign(
    content: Content, holder: Holder, service: service_api.SigningService | None = None
) -> bytes:
    """The answer document signed as ``holder`` through the signing service (SigningError,
    SigningRefused from the service; the answer is checked as for a PDF)."""
    service = service or service_api.signing_service()
    credential = service.credential(holder)
    root = build(content)

    def raw(data: bytes) -> bytes:
        request = service_api.DigestRequest(
            holder=holder,
            key_id=credential.key_id,
            certificate_sha256=credential.fingerprint,
            digest=hashlib.sha256(data).digest(),
            digest_algorithm="sha256",
            description=_("Answer to ballot no. %(number)s") % {"number": content.ballot_number},
        )
        answer = service.sign_digest(request)
        service_api.check_answer(request, answer)
        return answer.signature

    xmldsig.sign_enveloped_with(root, raw, [credential.certificate, *credential.chain])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _refused(message) -> ValidationError:
    return ValidationError(message, code="signature")


def _field(root: etree._Element, name: str) -> str:
    nodes = root.findall(_q(name))
    if len(nodes) != 1:
        raise _refused(
            _("The answer document is not valid: %(field)s is missing.") % {"field": name}
        )
    return nodes[0].text or ""


def _int(root: etree._Element, name: str) -> int:
    try:
        return int(_field(root, name))
    except ValueError:
        raise _refused(
            _("The answer document is not valid: %(field)s is not a number.") % {"field": name}
        ) from None


def verify(document: bytes | str) -> Verified:
    """The answer as signed, or ValidationError (Vietnamese) for an unsigned, wrongly signed or
    malformed document, or one signed by someone other than its ``CastBy``."""
    data = document.encode("utf-8") if isinstance(document, str) else bytes(document)
    if not data.strip():
        raise _refused(_("The answer is not signed."))
    if len(data) > MAX_DOCUMENT:
        raise _refused(_("The answer document is too large."))
    result = verify_xml(data)
    if not result.valid:
        if f"{{{xmldsig.DS_NS}}}Signature".encode() not in data and b"Signature" not in data:
            raise _refused(_("The answer is not signed."))
        raise _refused(
            _(
                "The answer's signature is not valid: the document was altered or not signed "
                "with a certificate we trust."
            )
        )
    root = result.signed_element
    if root is None or root.tag != ROOT:
        raise _refused(_("The signed document is not a ballot answer."))
    ballot = root.find(_q("Ballot"))
    try:
        number = int(ballot.get("number", "")) if ballot is not None else 0
        signed_at = dt.datetime.strptime(_field(root, "SignedAt"), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise _refused(
            _("The answer document is not valid: a date or number cannot be read.")
        ) from None
    content = Content(
        ballot_id=_int(root, "Ballot"),
        ballot_number=number,
        question_id=_int(root, "Question"),
        question=_field(root, "QuestionText"),
        choice=_field(root, "Choice"),
        text=_field(root, "Text"),
        member=_field(root, "Member"),
        member_name=_field(root, "MemberName"),
        cast_by=_field(root, "CastBy"),
        signed_at=signed_at.replace(tzinfo=dt.UTC),
    )
    if people.holder_id_of(result.certificate) != content.cast_by:
        raise _refused(_("The answer is signed with another person's certificate."))
    return Verified(
        content=content,
        document=data.decode("utf-8"),
        sha256=hashlib.sha256(data).hexdigest(),
        certificate=result.certificate,
        subject=pki.subject_text(result.certificate),
    )
