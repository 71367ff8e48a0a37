"""The opinion ballot's acts: issue (the secretariat), answer (a member, signed), decide.

Every act is one transaction with one audit row; bad input is a ValidationError in Vietnamese
and nothing is written. An answer's signature is verified before the transaction
(egov.cabinet.answers), its fields checked against the ballot inside it, under the ballot's row
lock (two answers of one member cannot both pass the "once" check; the unique constraint
backs it up).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Official
from egov.accounts.signing import holder_of_official
from egov.cabinet import access, acts, answers, rule
from egov.cabinet.models import (
    Answer,
    Assistant,
    Ballot,
    BallotDocument,
    Choice,
    Member,
    Outcome,
    Question,
    Recipient,
    Status,
)
from egov.cabinet.services import reminders
from egov.cabinet.services import tally as tallies
from egov.cabinet.services.chain import ANSWERS
from egov.core import calendar
from egov.core.services import audit, outbox
from egov.exchange.models import OfficialDocument

MAX_WORKING_DAYS = 60
MAX_QUESTIONS = 20
MAX_PDF = 20 * 1024 * 1024
# Classifications the rules keep off the system (Mật, Tối mật, Tuyệt mật).
CLASSIFIED = frozenset({"secret", "top_secret", "absolute_secret"})
REPORT = "cabinet.report"
# A signature's time may run ahead of ours by this much (clocks of the signer's device).
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class DocumentData:
    title: str
    classification: str = "normal"
    content: bytes | None = None
    exchange_document_id: int | None = None


@dataclass(frozen=True)
class BallotData:
    title: str
    questions: list[str]
    working_days: int | None = None
    # Instead of working days: an exact deadline (must be in the future).
    deadline: dt.datetime | None = None
    # The members asked; empty: every member in office on the day of issue.
    members: list[int] = field(default_factory=list)
    allow_assistants: bool = False
    documents: list[DocumentData] = field(default_factory=list)


def _secretary(actor: Official | None) -> Official:
    if not access.is_secretary(actor):
        raise PermissionDenied(_("Only the Government Office's secretariat may do this."))
    return actor


def _check_documents(documents: list[DocumentData], model=BallotDocument):
    """Checked documents as unsaved ``model`` rows (a ballot's or an agenda item's)."""
    rows = []
    for doc in documents:
        if doc.classification in CLASSIFIED:
            raise ValidationError(
                _(
                    "“%(title)s” is classified (secret): classified documents are kept off the "
                    "e-Cabinet system."
                )
                % {"title": doc.title},
                code="classified",
            )
        if not doc.title.strip():
            raise ValidationError(_("Every document needs a title."), code="title")
        exchange = None
        if doc.exchange_document_id is not None:
            exchange = OfficialDocument.objects.filter(pk=doc.exchange_document_id).first()
            if exchange is None:
                raise ValidationError(
                    _("No document of the exchange has the number given."), code="document"
                )
        elif not doc.content or not doc.content.startswith(b"%PDF-"):
            raise ValidationError(
                _("“%(title)s” is not a PDF.") % {"title": doc.title}, code="document"
            )
        elif len(doc.content) > MAX_PDF:
            raise ValidationError(_("The file is larger than 20 MB."), code="document")
        content = doc.content if exchange is None else None
        rows.append(
            model(
                title=doc.title.strip()[:500],
                exchange_document=exchange,
                content=content,
                sha256=hashlib.sha256(content).hexdigest() if content else "",
            )
        )
    return rows


def _deadline(data: BallotData, now: dt.datetime) -> tuple[dt.datetime, int]:
    if data.deadline is not None:
        if data.deadline <= now:
            raise ValidationError(_("The deadline has already passed."), code="deadline")
        days = max(1, calendar.working_time_between(now, data.deadline).days)
        return data.deadline, days
    days = data.working_days
    if days is None or days < 1:
        raise ValidationError(
            _("The deadline must be at least one working day from now."), code="deadline"
        )
    if days > MAX_WORKING_DAYS:
        raise ValidationError(
            _("The deadline may be at most %(days)s working days from now.")
            % {"days": MAX_WORKING_DAYS},
            code="deadline",
        )
    return calendar.due(now, days, calendar.Unit.WORKING_DAYS), days


def issue(actor: Official, data: BallotData, *, now: dt.datetime | None = None) -> Ballot:
    """The secretariat issues a ballot to the members asked."""
    _secretary(actor)
    now = now or timezone.now()
    questions = [q.strip() for q in data.questions if q and q.strip()]
    if not questions:
        raise ValidationError(_("A ballot needs at least one question."), code="questions")
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(_("A ballot has at most 20 questions."), code="questions")
    if not data.title.strip():
        raise ValidationError(_("A ballot needs a subject."), code="title")
    deadline, days = _deadline(data, now)
    day = timezone.localdate(now)
    in_office = Member.objects.at(day)
    n = in_office.count()
    if n == 0:
        raise ValidationError(_("No member of the Government is in office today."), code="members")
    if data.members:
        asked = list(in_office.filter(pk__in=set(data.members)))
        if len(asked) != len(set(data.members)):
            raise ValidationError(
                _("Only members of the Government in office may be asked."), code="members"
            )
    else:
        asked = list(in_office)
    documents = _check_documents(data.documents)
    pm = in_office.filter(position="prime_minister").first()
    with transaction.atomic():
        acts.check_transition(Ballot(), "issue")
        number = (Ballot.objects.aggregate(m=Max("number"))["m"] or 0) + 1
        ballot = Ballot.objects.create(
            number=number,
            title=data.title.strip()[:500],
            issued_by=actor,
            issued_at=now,
            working_days=days,
            deadline=deadline,
            members_count=n,
            prime_minister=pm,
            allow_assistants=data.allow_assistants,
        )
        Question.objects.bulk_create(
            Question(ballot=ballot, position=i, text=text) for i, text in enumerate(questions, 1)
        )
        Recipient.objects.bulk_create(Recipient(ballot=ballot, member=m) for m in asked)
        for doc in documents:
            doc.ballot = ballot
        BallotDocument.objects.bulk_create(documents)
        audit.record(
            actor=actor.user,
            action="cabinet.issue",
            obj=ballot,
            summary={"number": number, "questions": len(questions), "asked": len(asked), "n": n},
        )
        reminders.schedule(ballot)
    return ballot


# --- answering ------------------------------------------------------------------------------


def content_for(
    ballot: Ballot,
    question: Question,
    member: Member,
    signer: Official,
    choice: str,
    text: str,
    now=None,
) -> answers.Content:
    """What a member (or their assistant) signs for this answer (the pages build it)."""
    return answers.Content(
        ballot_id=ballot.pk,
        ballot_number=ballot.number,
        question_id=question.pk,
        question=question.text,
        choice=choice,
        text=text.strip(),
        member=f"official-{member.official_id}",
        member_name=member.official.name,
        cast_by=f"official-{signer.pk}",
        signed_at=(now or timezone.now()).replace(microsecond=0),
    )


def _official_of_holder(holder_id: str) -> int | None:
    prefix = "official-"
    if not holder_id.startswith(prefix) or not holder_id[len(prefix) :].isdigit():
        return None
    return int(holder_id[len(prefix) :])


def _check_content(ballot: Ballot, content: answers.Content, now: dt.datetime):
    if content.ballot_id != ballot.pk:
        raise ValidationError(_("The signed answer is for another ballot."), code="ballot")
    # Every question at once: the tally after the answer needs them all (one query, not two).
    questions = list(ballot.questions.all())
    question = next((q for q in questions if q.pk == content.question_id), None)
    if question is None or question.text != content.question:
        raise ValidationError(
            _("The signed answer is not for a question of this ballot."), code="question"
        )
    if content.choice not in Choice.values:
        raise ValidationError(
            _("The answer must be agree, disagree or another opinion."), code="choice"
        )
    if content.choice == Choice.OTHER and not content.text.strip():
        raise ValidationError(_("Write your opinion when you answer “other opinion”."), code="text")
    if len(content.text) > answers.MAX_TEXT:
        raise ValidationError(
            _("The opinion is too long (at most 10,000 characters)."), code="text"
        )
    if content.signed_at > now + CLOCK_SKEW or content.signed_at < ballot.issued_at - CLOCK_SKEW:
        raise ValidationError(_("The time of the signature is not plausible."), code="time")
    member_official = _official_of_holder(content.member)
    day = timezone.localdate(now)
    member = next(
        iter(
            Member.objects.filter(
                official_id=member_official, pk__in=ballot.recipients.values("member_id")
            ).select_related("official__user")  # the answer's response names the member
        ),
        None,
    )
    if member is None:
        raise ValidationError(_("You are not asked on this ballot."), code="member")
    signer_id = _official_of_holder(content.cast_by)
    by_assistant = signer_id != member.official_id
    if by_assistant:
        if not ballot.allow_assistants:
            raise ValidationError(
                _("This ballot must be answered by the member in person."), code="assistant"
            )
        authorised = Assistant.objects.filter(
            official_id=signer_id, member=member, valid_from__lte=day
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        if not authorised.exists():
            raise ValidationError(
                _("The signer is not an authorised assistant of the member."), code="assistant"
            )
    return question, member, signer_id, by_assistant, questions


def cast(actor, document: bytes | str, ballot: Ballot, *, now: dt.datetime | None = None) -> Answer:
    """Record a signed answer. ``actor``: the official who sends it (must be its signer), or an
    API client's principal relaying it (the signature says who). Refused, with nothing written:
    an unsigned or wrongly signed document, another person's key, a non-member, a second
    answer, an answer after the deadline or after the result."""
    verified = answers.verify(document)  # CPU only: outside the transaction
    if isinstance(actor, Official) and f"official-{actor.pk}" != verified.content.cast_by:
        raise ValidationError(
            _("The answer is signed with another person's certificate."), code="signature"
        )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
            acts.check_transition(ballot, "answer")
            if now >= ballot.deadline:
                raise ValidationError(_("The deadline for answers has passed."), code="deadline")
            question, member, signer_id, by_assistant, questions = _check_content(
                ballot, verified.content, now
            )
            # A second answer: the unique constraint refuses it (IntegrityError below), which
            # saves a query on every first one.
            answer = ANSWERS.append(
                Answer(
                    ballot=ballot,
                    question=question,
                    member=member,
                    choice=verified.content.choice,
                    text=verified.content.text.strip(),
                    cast_by_id=signer_id,
                    by_assistant=by_assistant,
                    signed_at=verified.content.signed_at,
                    document=verified.document,
                    document_sha256=verified.sha256,
                    signer_subject=verified.subject[:500],
                    signer_fingerprint=verified.fingerprint,
                )
            )
            if isinstance(actor, Official) and actor.pk == signer_id:
                answer.cast_by = actor  # already loaded: the response names who cast it
            audit.record(
                actor=getattr(actor, "user", actor),
                action="cabinet.answer",
                obj=ballot,
                summary={
                    "question": question.position,
                    "member": member.pk,
                    "by_assistant": by_assistant,
                    "answer_hash": answer.hash,
                },
            )
            _decide_if_settled(ballot, now, questions=questions)
    except IntegrityError:  # the unique constraint: a concurrent second answer
        raise ValidationError(
            _("This question has already been answered: an answer cannot be changed."),
            code="once",
        ) from None
    return answer


def answer_as(
    user,
    ballot: Ballot,
    question: Question,
    choice: str,
    text: str = "",
    *,
    member: Member | None = None,
    now=None,
) -> Answer:
    """The pages' path: sign the answer as the logged-in official through the signing service,
    then :func:`cast` it like any signed answer. ``member``: the member an assistant acts for."""
    official = access.official_of(user)
    if official is None:
        raise PermissionDenied(_("Only officials have a personal signing certificate."))
    if choice not in Choice.values:
        raise ValidationError(
            _("The answer must be agree, disagree or another opinion."), code="choice"
        )
    if choice == Choice.OTHER and not (text or "").strip():
        raise ValidationError(_("Write your opinion when you answer “other opinion”."), code="text")
    if member is None:
        member = ballot.members.filter(official=official).select_related("official__user").first()
        if member is None:
            raise ValidationError(_("You are not asked on this ballot."), code="member")
    content = content_for(ballot, question, member, official, choice, text or "", now)
    document = answers.sign(content, holder_of_official(official))
    return cast(official, document, ballot, now=now)


# --- the result -----------------------------------------------------------------------------


def _decide_if_settled(
    ballot: Ballot, now: dt.datetime, *, force: bool = False, actor="system", questions=None
):
    results = tallies.tally(ballot, now, questions=questions)
    settled = force or now >= ballot.deadline or all(t.decided for t in results)
    if not settled:
        return False
    acts.check_transition(ballot, "decide")
    for t in results:
        t.question.outcome = Outcome.ADOPTED if rule.adopted(t.count) else Outcome.NOT_ADOPTED
    Question.objects.bulk_update([t.question for t in results], ["outcome"])
    ballot.status = Status.DECIDED
    ballot.decided_at = now
    ballot.save(update_fields=["status", "decided_at"])
    audit.record(
        actor=actor,
        action="cabinet.decide",
        obj=ballot,
        summary={
            "outcomes": {t.question.position: t.question.outcome for t in results},
            "before_deadline": now < ballot.deadline,
        },
    )
    outbox.add(REPORT, {"ballot": ballot.pk}, key=str(ballot.pk))
    return True


def decide(ballot: Ballot, *, now=None, actor="system") -> bool:
    """Establish the result if the deadline passed or no answer can change it; True if done."""
    now = now or timezone.now()
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status != Status.OPEN:
            return False
        return _decide_if_settled(ballot, now, actor=actor)


def close_due(now=None) -> int:
    """Decide every open ballot whose deadline has passed (``egov cabinet-close``)."""
    now = now or timezone.now()
    done = 0
    for ballot in Ballot.objects.filter(status=Status.OPEN, deadline__lte=now):
        done += decide(ballot, now=now)
    return done
