"""Issuing, answering (signed) and deciding ballots: egov.cabinet.services.ballots."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from egov.accounts.signing import holder_of_official
from egov.cabinet import answers
from egov.cabinet.models import Answer, Ballot, Outcome, Status
from egov.cabinet.services import ballots
from egov.cabinet.services.chain import ANSWERS
from egov.core.models import AuditEntry, OutboxMessage

from .conftest import issue, vote

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_issue_asks_every_member_with_a_working_day_deadline(gov):
    ballot = issue(gov, documents=[ballots.DocumentData("Tờ trình", content=PDF)])
    assert ballot.members_count == 27
    assert ballot.recipients.count() == 27
    assert ballot.prime_minister == gov.pm
    assert ballot.status == Status.OPEN
    assert ballot.deadline > ballot.issued_at + dt.timedelta(days=2)
    assert ballot.documents.get().sha256
    assert AuditEntry.objects.filter(action="cabinet.issue").count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"questions": []}, "câu hỏi"),
        ({"questions": ["  "]}, "câu hỏi"),
        ({"working_days": 0}, "ngày làm việc"),
        ({"working_days": None, "deadline": timezone.now() - dt.timedelta(hours=1)}, "đã qua"),
        (
            {"documents": [ballots.DocumentData("Báo cáo mật", classification="secret")]},
            "mật",
        ),
        ({"documents": [ballots.DocumentData("Tờ trình", content=b"not a pdf")]}, "PDF"),
    ],
)
def test_bad_ballots_are_refused_and_nothing_is_written(gov, extra, message):
    with pytest.raises(ValidationError) as info:
        issue(gov, **extra)
    assert message in " ".join(info.value.messages)
    assert not Ballot.objects.exists()


def test_only_the_secretariat_issues(gov):
    with pytest.raises(PermissionDenied):
        ballots.issue(gov.members[3].official, ballots.BallotData("x", ["q"], working_days=2))


def test_a_signed_answer_is_recorded_in_the_chain(gov):
    ballot = issue(gov)
    answer = vote(ballot, gov.members[5], "agree")
    assert answer.seq == 1 and answer.cast_by == gov.members[5].official
    assert not answer.by_assistant
    assert "BallotAnswer" in answer.document and answer.signer_fingerprint
    assert ANSWERS.verify().intact
    content = answers.verify(answer.document).content
    assert (content.ballot_id, content.choice) == (ballot.pk, "agree")


def test_golden_14_of_27_adopt_before_the_deadline(gov):
    ballot = issue(gov)
    for member in gov.members[:13]:
        vote(ballot, member, "agree")
    ballot.refresh_from_db()
    assert ballot.status == Status.OPEN
    vote(ballot, gov.members[13], "agree")
    ballot.refresh_from_db()
    assert ballot.status == Status.DECIDED
    assert ballot.questions.get().outcome == Outcome.ADOPTED
    assert OutboxMessage.objects.filter(kind=ballots.REPORT, key=str(ballot.pk)).exists()


def test_golden_13_10_4_not_adopted_at_the_deadline(gov):
    ballot = issue(gov)
    for member in gov.members[:13]:
        vote(ballot, member, "agree")
    for member in gov.members[13:23]:
        vote(ballot, member, "disagree")
    ballot.refresh_from_db()
    assert ballot.status == Status.OPEN  # 4 silent could still make it 17
    assert ballots.close_due(ballot.deadline + dt.timedelta(seconds=1)) == 1
    ballot.refresh_from_db()
    assert ballot.status == Status.DECIDED
    assert ballot.questions.get().outcome == Outcome.NOT_ADOPTED


def _refused(call, code):
    before = (Answer.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.code == code, info.value.messages
    assert (Answer.objects.count(), AuditEntry.objects.count()) == before
    return info.value


def test_a_second_answer_is_refused(gov):
    ballot = issue(gov)
    vote(ballot, gov.members[1], "agree")
    error = _refused(lambda: vote(ballot, gov.members[1], "disagree"), "once")
    assert "không thể thay đổi" in error.messages[0]


def test_other_opinion_needs_text(gov):
    ballot = issue(gov)
    _refused(lambda: vote(ballot, gov.members[1], "other", "  "), "text")
    assert vote(ballot, gov.members[1], "other", "Cần bổ sung đánh giá tác động").text


def test_a_non_member_is_refused(gov):
    ballot = issue(gov, members=[m.pk for m in gov.members[:5]])
    _refused(lambda: vote(ballot, gov.members[6], "agree"), "member")
    with pytest.raises(ValidationError):
        ballots.answer_as(gov.outsider.user, ballot, ballot.questions.first(), "agree")


def _signed(ballot, member, signer, choice="agree", **changes):
    content = ballots.content_for(ballot, ballot.questions.first(), member, signer, choice, "")
    content = content.__class__(**{**content.__dict__, **changes})
    return answers.sign(content, holder_of_official(signer))


def test_an_answer_signed_with_another_persons_key_is_refused(gov):
    ballot = issue(gov)
    member, other = gov.members[2], gov.members[3].official
    # Signed by another member, claiming to be cast by the member.
    document = _signed(ballot, member, other, cast_by=f"official-{member.official_id}")
    _refused(lambda: ballots.cast(member.official, document, ballot), "signature")
    # Signed by the other member as themselves, for the member: the sender is not the signer.
    document = _signed(ballot, member, other)
    _refused(lambda: ballots.cast(member.official, document, ballot), "signature")


def test_unsigned_and_altered_answers_are_refused(gov):
    ballot = issue(gov)
    member = gov.members[2]
    document = _signed(ballot, member, member.official)
    unsigned = document.split(b"<ds:Signature")[0] + b"</BallotAnswer>"
    error = _refused(lambda: ballots.cast(member.official, unsigned, ballot), "signature")
    assert "chưa được ký" in error.messages[0]
    altered = document.replace(b">agree<", b">disagree<")
    _refused(lambda: ballots.cast(member.official, altered, ballot), "signature")
    _refused(lambda: ballots.cast(member.official, b"", ballot), "signature")


def test_an_answer_for_another_question_text_is_refused(gov):
    ballot = issue(gov)
    member = gov.members[2]
    document = _signed(ballot, member, member.official, question="Một câu hỏi khác?")
    _refused(lambda: ballots.cast(member.official, document, ballot), "question")


def test_answers_after_the_deadline_or_the_result_are_refused(gov):
    ballot = issue(gov)
    late = ballot.deadline + dt.timedelta(minutes=1)
    _refused(lambda: vote(ballot, gov.members[1], "agree", now=late), "deadline")
    for member in gov.members[:14]:
        vote(ballot, member, "agree")
    _refused(lambda: vote(ballot, gov.members[20], "disagree"), "status")


def test_assistants_cast_only_where_the_ballot_allows_it(gov):
    closed = issue(gov)
    _refused(
        lambda: (
            vote(closed, gov.pm, "agree", member=None)
            if False
            else ballots.answer_as(
                gov.assistant.user, closed, closed.questions.first(), "agree", member=gov.pm
            )
        ),
        "assistant",
    )
    ballot = issue(gov, allow_assistants=True)
    answer = ballots.answer_as(
        gov.assistant.user, ballot, ballot.questions.first(), "agree", member=gov.pm
    )
    assert answer.by_assistant and answer.member == gov.pm and answer.cast_by == gov.assistant
    # Someone who is not the member's assistant may not.
    _refused(
        lambda: ballots.answer_as(
            gov.outsider.user, ballot, ballot.questions.first(), "agree", member=gov.members[1]
        ),
        "assistant",
    )


def test_an_edited_answer_breaks_the_chain_or_is_refused(gov):
    from django.db import DatabaseError, connection, transaction

    ballot = issue(gov)
    vote(ballot, gov.members[1], "agree")
    vote(ballot, gov.members[2], "disagree")
    assert ANSWERS.verify().intact
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Answer.objects.filter(seq=1).update(choice="disagree")
        return
    Answer.objects.filter(seq=1).update(choice="disagree")
    assert not ANSWERS.verify(record=False).intact
