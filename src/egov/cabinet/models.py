"""The e-Cabinet's models: the Government's members and their staff, opinion ballots, answers.

- :class:`Member`: a member of the Government (Prime Minister, Deputy Prime Ministers,
  ministers, heads of ministry-level agencies) for a term; N, the count every majority is
  counted against, is the number of members on a date (:meth:`MemberQuerySet.at`).
- :class:`Assistant` and :class:`Secretary`: a member's support staff and the Government
  Office's secretariat (the cabinet's own roles: egov.cabinet.access).
- :class:`Ballot` (phiếu lấy ý kiến) with its :class:`Question` s, :class:`BallotDocument` s and
  :class:`Recipient` s (the members asked).
- :class:`Answer`: one member's signed answer to one question; immutable, hash-chained
  (egov.cabinet.services.chain), append-only on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.models import ChainedRow


class Position(models.TextChoices):
    PRIME_MINISTER = "prime_minister", _("Prime Minister")
    DEPUTY_PRIME_MINISTER = "deputy_prime_minister", _("Deputy Prime Minister")
    MINISTER = "minister", _("Minister")
    HEAD_OF_AGENCY = "head_of_agency", _("Head of a ministry-level agency")


class MemberQuerySet(models.QuerySet):
    def at(self, day: dt.date):
        """The members in office on ``day`` (their term includes it)."""
        return self.filter(term_start__lte=day).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=day)
        )


class Member(models.Model):
    """A member of the Government for one term (the official who holds the position)."""

    official = models.ForeignKey(
        "accounts.Official",
        verbose_name=_("official"),
        on_delete=models.PROTECT,
        related_name="cabinet_terms",
    )
    position = models.CharField(_("position"), max_length=32, choices=Position.choices)
    # The full title: "Bộ trưởng Bộ Tài chính".
    title = models.CharField(_("title"), max_length=255)
    rank = models.PositiveSmallIntegerField(_("order of precedence"), default=100)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("Government member")
        verbose_name_plural = _("Government members")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return f"{self.official.name}, {self.title}"

    @property
    def is_prime_minister(self) -> bool:
        return self.position == Position.PRIME_MINISTER


class Assistant(models.Model):
    """An official authorised to act for a member (cast an answer where a ballot allows it)."""

    official = models.ForeignKey(
        "accounts.Official", on_delete=models.PROTECT, related_name="cabinet_assisting"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="assistants")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("member's assistant")
        verbose_name_plural = _("members' assistants")

    def __str__(self) -> str:
        return f"{self.official} ({self.member})"


class Secretary(models.Model):
    """An official of the Government Office's secretariat: issues and closes ballots."""

    official = models.OneToOneField(
        "accounts.Official", on_delete=models.PROTECT, related_name="cabinet_secretary"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("secretariat official")
        verbose_name_plural = _("secretariat officials")

    def __str__(self) -> str:
        return str(self.official)


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("ballot status", "Open for answers")
    DECIDED = "decided", pgettext_lazy("ballot status", "Result established")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", pgettext_lazy("ballot outcome", "Adopted")
    NOT_ADOPTED = "not_adopted", pgettext_lazy("ballot outcome", "Not adopted")


class Choice(models.TextChoices):
    AGREE = "agree", pgettext_lazy("ballot answer", "Agree")
    DISAGREE = "disagree", pgettext_lazy("ballot answer", "Disagree")
    OTHER = "other", pgettext_lazy("ballot answer", "Other opinion")


class Ballot(models.Model):
    """An opinion ballot (phiếu lấy ý kiến thành viên Chính phủ)."""

    number = models.PositiveIntegerField(_("ballot number"), unique=True)
    title = models.CharField(_("subject"), max_length=500)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    issued_by = models.ForeignKey(
        "accounts.Official", on_delete=models.PROTECT, related_name="cabinet_ballots_issued"
    )
    issued_at = models.DateTimeField(_("issued at"))
    working_days = models.PositiveSmallIntegerField(_("working days to answer"))
    deadline = models.DateTimeField(_("deadline"))
    # N: the Government's members on the day of issue, whoever is asked or answers.
    members_count = models.PositiveSmallIntegerField(_("number of Government members"))
    # Whose side wins a tie: the Prime Minister in office on the day of issue.
    prime_minister = models.ForeignKey(
        Member, null=True, on_delete=models.PROTECT, related_name="+"
    )
    allow_assistants = models.BooleanField(_("assistants may cast answers"), default=False)
    decided_at = models.DateTimeField(_("result established at"), null=True, blank=True)
    # The tally report: a PDF signed by the Government Office's seal.
    report_pdf = models.BinaryField(null=True, editable=False)
    # The report as sent through the document exchange (egov.cabinet.services.minutes).
    report_document = models.OneToOneField(
        "exchange.OfficialDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(Member, through="Recipient", related_name="ballots")

    class Meta:
        verbose_name = _("opinion ballot")
        verbose_name_plural = _("opinion ballots")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class Recipient(models.Model):
    """A member asked on a ballot."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="cabinet_recipient_once")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.member_id}"


class Question(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("question"))
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["ballot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "position"], name="cabinet_question_position")
        ]

    def __str__(self) -> str:
        return self.text


class BallotDocument(models.Model):
    """A document of the ballot: one from the exchange, or a PDF uploaded with it."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document title"), max_length=500)
    exchange_document = models.ForeignKey(
        "exchange.OfficialDocument", null=True, blank=True, on_delete=models.PROTECT
    )
    content = models.BinaryField(null=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Answer(ChainedRow):
    """One member's signed answer to one question: immutable, in the cabinet's hash chain.

    ``document`` is the signed answer document as received (egov.cabinet.answers): the
    signature's proof; the other fields are what was read from its signed octets."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(_("answer"), max_length=12, choices=Choice.choices)
    text = models.TextField(_("opinion"), blank=True)
    # Who cast and signed it: the member, or their authorised assistant.
    cast_by = models.ForeignKey("accounts.Official", on_delete=models.PROTECT, related_name="+")
    by_assistant = models.BooleanField(default=False)
    signed_at = models.DateTimeField(_("signed at"))
    document = models.TextField()
    document_sha256 = models.CharField(max_length=64)
    signer_subject = models.CharField(max_length=500)
    signer_fingerprint = models.CharField(max_length=64)

    class Meta(ChainedRow.Meta):
        verbose_name = _("ballot answer")
        verbose_name_plural = _("ballot answers")
        constraints = [
            models.UniqueConstraint(fields=["question", "member"], name="cabinet_answer_once")
        ]


# --- meetings (issue 19, §2) ----------------------------------------------------------------


class MeetingKind(models.TextChoices):
    REGULAR = "regular", pgettext_lazy("meeting kind", "Regular monthly meeting")
    THEMATIC = "thematic", pgettext_lazy("meeting kind", "Thematic meeting")
    EXTRAORDINARY = "extraordinary", pgettext_lazy("meeting kind", "Extraordinary meeting")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
    IN_SESSION = "in_session", pgettext_lazy("meeting status", "In session")
    CLOSED = "closed", pgettext_lazy("meeting status", "Closed")


class Mark(models.TextChoices):
    NO_OBJECTION = "no_objection", pgettext_lazy("agenda mark", "No objection")
    WANTS_TO_SPEAK = "wants_to_speak", pgettext_lazy("agenda mark", "Wants to speak")
    OBJECTS = "objects", pgettext_lazy("agenda mark", "Objects")


class Meeting(models.Model):
    """A Government meeting (phiên họp Chính phủ) with its agenda."""

    number = models.PositiveIntegerField(_("meeting number"), unique=True)
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # N: the Government's members in office on the meeting's date (as a ballot counts it).
    members_count = models.PositiveSmallIntegerField(_("number of Government members"))
    # Settings of the meeting: items nobody objects to and more than half of all members agree
    # to beforehand are adopted without debate; substitutes count toward quorum and majority.
    adopt_without_debate = models.BooleanField(
        _("adopt unopposed items without debate"), default=True
    )
    substitutes_count = models.BooleanField(_("substitutes count toward quorum"), default=False)
    scheduled_by = models.ForeignKey(
        "accounts.Official", on_delete=models.PROTECT, related_name="cabinet_meetings_scheduled"
    )
    scheduled_at = models.DateTimeField(_("scheduled at"))
    members = models.ManyToManyField(Member, through="Participant", related_name="meetings")
    # The minutes: a PDF sealed by the Government Office, registered and sent through the
    # document exchange (egov.cabinet.services.minutes); empty until sent.
    minutes_document = models.OneToOneField(
        "exchange.OfficialDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Government meeting")
        verbose_name_plural = _("Government meetings")
        ordering = ["-date", "-number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class Participant(models.Model):
    """A member invited to a meeting (every member in office on its date)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="cabinet_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("item"), max_length=500)
    presenter = models.CharField(_("presenter"), max_length=255)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    adopted_without_debate = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="cabinet_item_position")
        ]

    def __str__(self) -> str:
        return self.title


class ItemDocument(models.Model):
    """A document of an agenda item: from the exchange, or a PDF uploaded (never classified)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document title"), max_length=500)
    exchange_document = models.ForeignKey(
        "exchange.OfficialDocument", null=True, blank=True, on_delete=models.PROTECT
    )
    content = models.BinaryField(null=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ItemMark(models.Model):
    """A member's mark on an agenda item before the meeting (may be changed until it opens)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="marks")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    mark = models.CharField(_("mark"), max_length=16, choices=Mark.choices)
    comment = models.TextField(_("comment"), blank=True)
    marked_by = models.ForeignKey("accounts.Official", on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="cabinet_mark_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.member_id} {self.mark}"


class Attendance(models.Model):
    """A member present at the meeting, in person or through a substitute (shown as such)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    substitute = models.ForeignKey(
        "accounts.Official", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="cabinet_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id}"


class Conclusion(models.Model):
    """The conclusion on an agenda item, written by the secretariat."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="conclusion")
    text = models.TextField(_("conclusion"))
    written_by = models.ForeignKey("accounts.Official", on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.text[:80]


class ConclusionTask(models.Model):
    """A point of a conclusion that assigns work: the task it created in egov.assignments."""

    conclusion = models.ForeignKey(Conclusion, on_delete=models.PROTECT, related_name="tasks")
    assignment = models.OneToOneField(
        "assignments.Assignment", on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.conclusion_id}: {self.assignment_id}"


# --- speakers and live votes (issue 19, §2 "during the meeting") -----------------------------


class SpeakerState(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("speaker state", "Waiting")
    SPEAKING = "speaking", pgettext_lazy("speaker state", "Speaking")
    FINISHED = "finished", pgettext_lazy("speaker state", "Finished")


class Speaker(models.Model):
    """A request to speak on an agenda item (OpenSlides' speaker): waiting in ``weight``
    order, then speaking (started), then finished (stopped); time used = end - start."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="speakers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=12, choices=SpeakerState.choices, default=SpeakerState.WAITING
    )
    # The place in the queue: lower speaks first; the secretariat may move a speaker.
    weight = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        "accounts.Official", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "weight", "id"]
        constraints = [
            # One place in the queue per member and item (they may speak again afterwards).
            models.UniqueConstraint(
                fields=["item", "member"],
                condition=Q(state="waiting"),
                name="cabinet_speaker_waiting_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.member_id} {self.state}"

    @property
    def seconds_used(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())

    @property
    def minutes_seconds(self) -> str:
        """The time used as m:ss (what the chair's clock shows)."""
        used = self.seconds_used
        return "" if used is None else f"{used // 60}:{used % 60:02d}"


class VoteStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("meeting vote status", "Voting")
    CLOSED = "closed", pgettext_lazy("meeting vote status", "Closed")


class VoteChoice(models.TextChoices):
    AGREE = "agree", pgettext_lazy("meeting vote", "Agree")
    DISAGREE = "disagree", pgettext_lazy("meeting vote", "Disagree")
    ABSTAIN = "abstain", pgettext_lazy("meeting vote", "Abstain")


class Vote(models.Model):
    """A live vote on an agenda item during the meeting (biểu quyết tại phiên họp): adopted as
    a ballot is (egov.cabinet.rule: more than half of ALL N agree, a tie goes the Prime
    Minister's way); a substitute's vote counts only where the meeting says so."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="votes")
    question = models.CharField(_("question"), max_length=500)
    status = models.CharField(max_length=8, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    opened_by = models.ForeignKey("accounts.Official", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["item", "id"]
        constraints = [
            # One vote open at a time per item (members' screens show one question).
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="open"), name="cabinet_vote_one_open"
            )
        ]

    def __str__(self) -> str:
        return self.question


class VoteCast(models.Model):
    """One member's vote: cast by the member present, or recorded by the secretariat for a
    member represented by a substitute (``by_substitute``)."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="casts")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=12, choices=VoteChoice.choices)
    by_substitute = models.BooleanField(default=False)
    cast_by = models.ForeignKey("accounts.Official", on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="cabinet_vote_once")]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.member_id} {self.choice}"
