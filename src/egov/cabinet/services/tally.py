"""The live tally of a ballot: per question, agree / disagree / other / not answered against N,
how many more "agree" are needed, and whether the outcome can still change (egov.cabinet.rule).
Two queries whatever the number of members and questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count as Counted
from django.utils import timezone

from egov.cabinet import rule
from egov.cabinet.models import Answer, Ballot, Outcome, Question, Status


class ByTheRule:
    """What a count says under the majority rule (egov.cabinet.rule): a ballot's question and a
    meeting's live vote read it alike. ``recorded`` is the outcome once fixed, else ""."""

    count: rule.Count
    recorded: str

    @property
    def adopted(self) -> bool:
        return rule.adopted(self.count)

    @property
    def decided(self) -> bool:
        return rule.decided(self.count)

    @property
    def agree_needed(self) -> int:
        return rule.agree_needed(self.count)

    @property
    def outcome(self) -> str:
        """The established outcome, or "" while it may still change."""
        if self.recorded:
            return self.recorded
        if self.decided:
            return Outcome.ADOPTED if self.adopted else Outcome.NOT_ADOPTED
        return ""

    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome else ""


@dataclass(frozen=True)
class QuestionTally(ByTheRule):
    question: Question
    count: rule.Count

    @property
    def recorded(self) -> str:
        return self.question.outcome


def tally(ballot: Ballot, now=None, *, questions=None) -> list[QuestionTally]:
    """``questions``: the ballot's questions when the caller has them (the vote path)."""
    now = now or timezone.now()
    open_ = ballot.status == Status.OPEN and now < ballot.deadline
    questions = list(ballot.questions.all()) if questions is None else questions
    rows = (
        Answer.objects.filter(ballot=ballot)
        .values("question_id", "choice", "member_id")
        .annotate(n=Counted("id"))
    )
    counts: dict[int, dict] = {
        q.pk: {"agree": 0, "disagree": 0, "other": 0, "pm": ""} for q in questions
    }
    answered: dict[int, set] = {q.pk: set() for q in questions}
    for row in rows:
        c = counts[row["question_id"]]
        c[row["choice"]] += row["n"]
        answered[row["question_id"]].add(row["member_id"])
        if row["member_id"] == ballot.prime_minister_id:
            c["pm"] = row["choice"]
    asked = set(ballot.recipients.values_list("member_id", flat=True))
    result = []
    for q in questions:
        c = counts[q.pk]
        pending = asked - answered[q.pk] if open_ else set()
        result.append(
            QuestionTally(
                q,
                rule.Count(
                    n=ballot.members_count,
                    agree=c["agree"],
                    disagree=c["disagree"],
                    other=c["other"],
                    pm_choice=c["pm"],
                    pending=len(pending),
                    pm_pending=ballot.prime_minister_id in pending,
                ),
            )
        )
    return result
