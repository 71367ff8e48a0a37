"""Business regulations and their compliance costs, drafts (structured into chapters, articles,
clauses and points, in versions), consultations on them with their phases, comments anchored to
the text, reports against comments, and the drafting agency's answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.consultation import costs


class DocType(models.TextChoices):
    LAW = "law", _("Law")
    ORDINANCE = "ordinance", _("Ordinance")
    DECREE = "decree", _("Decree")
    DECISION = "decision", _("Decision")
    CIRCULAR = "circular", _("Circular")
    RESOLUTION = "resolution", _("Resolution")


class LegalDocument(models.Model):
    """Văn bản quy phạm pháp luật: the document regulations are written in."""

    number = models.CharField(_("document number"), max_length=64, unique=True)
    doc_type = models.CharField(_("document type"), max_length=16, choices=DocType.choices)
    title = models.CharField(_("title"), max_length=500)
    issued_on = models.DateField(_("issued on"))
    issuing_body = models.ForeignKey(
        "core.Organisation", verbose_name=_("issuing body"), on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-issued_on", "number"]

    def __str__(self) -> str:
        return self.number


class CostFields(models.Model):
    """The fields of the compliance cost (see :mod:`egov.consultation.costs`)."""

    subjects = models.PositiveBigIntegerField(_("subjects affected"), default=0)
    frequency = models.DecimalField(_("times per year"), max_digits=12, decimal_places=2, default=0)
    days = models.DecimalField(
        _("working days per time"), max_digits=12, decimal_places=2, default=0
    )
    day_value = models.PositiveBigIntegerField(_("value of a working day (VND)"), default=0)
    fees = models.PositiveBigIntegerField(_("fees per time (VND)"), default=0)
    other_costs = models.PositiveBigIntegerField(_("other costs per time (VND)"), default=0)

    class Meta:
        abstract = True

    @property
    def cost(self) -> int:
        return costs.compliance_cost(
            self.subjects, self.frequency, self.days, self.day_value, self.fees, self.other_costs
        )


class RegulationStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    SIMPLIFIED = "simplified", _("Simplified")
    CUT = "cut", _("Cut")


class Regulation(CostFields):
    """Quy định kinh doanh: one clause of a legal document that binds businesses."""

    document = models.ForeignKey(
        LegalDocument, on_delete=models.PROTECT, related_name="regulations"
    )
    article = models.CharField(_("article"), max_length=16)
    clause = models.CharField(_("clause"), max_length=16, blank=True)
    point = models.CharField(_("point"), max_length=8, blank=True)
    content = models.TextField(_("content"))
    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True
    )
    procedures = models.ManyToManyField(
        "catalog.Procedure", verbose_name=_("procedures governed"), blank=True, related_name="+"
    )
    # The ministry or province that manages it (its reform plans, its sums).
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="regulations"
    )
    status = models.CharField(
        max_length=12, choices=RegulationStatus.choices, default=RegulationStatus.IN_FORCE
    )
    # The catalogue's search words of the content and the document (egov.catalog.search.tokens),
    # padded with spaces: " giay phep kinh doanh ", matched word by word.
    search_key = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return f"{self.place()} {self.document.number}"

    def place(self) -> str:
        parts = [f"Điều {self.article}"]
        if self.clause:
            parts.insert(0, f"khoản {self.clause}")
        if self.point:
            parts.insert(0, f"điểm {self.point}")
        return " ".join(parts)


class Draft(models.Model):
    """Dự thảo: a legal text open for comment, in versions."""

    code = models.CharField(_("draft code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=500)
    doc_type = models.CharField(_("document type"), max_length=16, choices=DocType.choices)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("drafting agency"),
        on_delete=models.PROTECT,
        related_name="drafts",
    )
    # One in, one out: the regulations it repeals; none is flagged.
    repeals = models.ManyToManyField(Regulation, blank=True, related_name="repealed_by")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.code


class DraftVersion(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="consultation_version_once")
        ]
        ordering = ["draft", "number"]

    def __str__(self) -> str:
        return f"{self.draft.code} v{self.number}"


class UnitKind(models.TextChoices):
    CHAPTER = "chapter", _("Chapter")
    ARTICLE = "article", _("Article")
    CLAUSE = "clause", _("Clause")
    POINT = "point", _("Point")


class Unit(models.Model):
    """A chapter, article, clause or point of one version. ``anchor`` names the same unit in
    every version (``dieu-3.khoan-2.diem-a``); comments and comparisons go by it."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="units")
    kind = models.CharField(max_length=8, choices=UnitKind.choices)
    anchor = models.CharField(max_length=120)
    label = models.CharField(max_length=64)  # "Điều 3", "Khoản 2", "Điểm a", "Chương I"
    heading = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    text_hash = models.CharField(max_length=64)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "anchor"], name="consultation_anchor_once")
        ]
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.anchor


class Phase(models.TextChoices):
    PREPARING = "preparing", pgettext_lazy("consultation phase", "Being prepared")
    DEBATE = "debate", pgettext_lazy("consultation phase", "Debate")
    COMMENTS = "comments", pgettext_lazy("consultation phase", "Comments")
    ANSWERS = "answers", pgettext_lazy("consultation phase", "Answers")
    RESULT = "result", pgettext_lazy("consultation phase", "Result")


class Consultation(models.Model):
    """Lấy ý kiến: a consultation on a draft, with its phases' dates."""

    code = models.CharField(max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=500)
    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="consultations")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="consultations"
    )
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.PREPARING)
    allow_late = models.BooleanField(_("late comments allowed"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.code


class PhaseWindow(models.Model):
    """The dates of one phase of a consultation (the comments' is the comment window)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="windows")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "phase"], name="consultation_window")
        ]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.phase} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class AuthorKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business")
    ORGANISATION = "organisation", _("Organisation")


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Hidden, pending review")
    HIDDEN = "hidden", _("Hidden by a moderator")


class AnswerKind(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("consultation answer", "Accepted")  # tiếp thu
    EXPLAINED = "explained", pgettext_lazy("consultation answer", "Explained")  # giải trình


class Answer(models.Model):
    """The drafting agency's answer to one comment or a group of them."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="answers")
    kind = models.CharField(max_length=12, choices=AnswerKind.choices)
    text = models.TextField()
    # Accepted: the unit of the next version that changed because of it.
    changed_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    answered_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["answered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Comment(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="comments"
    )
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="comments")
    # The whole draft (blank), a unit, or a range [range_start, range_end) of the unit's text.
    anchor = models.CharField(max_length=120, blank=True)
    range_start = models.PositiveIntegerField(null=True, blank=True)
    range_end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True)
    unit_hash = models.CharField(max_length=64, blank=True)  # the unit's text when commented
    text = models.TextField()
    # Identical comments (folded text, same anchor) share this key: the first leads the group.
    text_key = models.CharField(max_length=64, db_index=True)
    leader = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    group_size = models.PositiveIntegerField(default=1)  # on the leader: itself and duplicates
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    client = models.ForeignKey(
        "accounts.ApiClient", on_delete=models.PROTECT, null=True, related_name="+"
    )
    author_kind = models.CharField(max_length=12, choices=AuthorKind.choices)
    author_name = models.CharField(max_length=255)
    moderation = models.CharField(
        max_length=8, choices=Moderation.choices, default=Moderation.VISIBLE, db_index=True
    )
    reports_count = models.PositiveIntegerField(default=0)
    answer = models.ForeignKey(
        Answer, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def published(self) -> bool:
        return self.moderation == Moderation.VISIBLE and self.leader_id is None


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    OFFENSIVE = "offensive", _("Offensive")
    OFF_TOPIC = "off_topic", _("Off topic")


class Report(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reason = models.CharField(max_length=12, choices=ReportReason.choices)
    details = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="consultation_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.reason} #{self.comment_id}"


class ReformAction(models.TextChoices):
    CUT = "cut", _("Cut")
    SIMPLIFY = "simplify", _("Simplify")


class ReformPlan(models.Model):
    """A ministry's plan of regulations to cut or simplify, due to the Prime Minister by 30/9."""

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="reform_plans"
    )
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=500)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="consultation_plan_year")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class ReformItem(CostFields):
    """One regulation of a plan: the cost fields are those after the reform."""

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="items")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=8, choices=ReformAction.choices)
    cost_before = models.PositiveBigIntegerField()  # the regulation's cost when planned

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "regulation"], name="consultation_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.regulation_id}"

    @property
    def saving(self) -> int:
        return self.cost_before - (0 if self.action == ReformAction.CUT else self.cost)


class CodeSequence(models.Model):
    """Gap-free counters of draft and consultation codes per year (egov.core.numbering.draw)."""

    kind = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="consultation_code_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


def attachment_path(instance, filename: str) -> str:
    return f"consultation/{instance.comment.consultation.code}/{filename}"


class CommentAttachment(models.Model):
    """A file sent with a comment, checked by its content as a dossier's files are."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.name


def summary_path(instance, filename: str) -> str:
    return f"consultation/{instance.consultation.code}/summary/{filename}"


class SummaryTable(models.Model):
    """The table of acceptance and explanation (bảng tổng hợp tiếp thu, giải trình) as published
    with the result: a PDF sealed by the drafting agency and the same table as .docx."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="summary_table"
    )
    pdf = models.FileField(upload_to=summary_path, max_length=255)
    docx = models.FileField(upload_to=summary_path, max_length=255)
    pdf_sha256 = models.CharField(max_length=64)
    docx_sha256 = models.CharField(max_length=64)
    answers = models.PositiveIntegerField(default=0)
    commenters = models.PositiveIntegerField(default=0)
    made_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.consultation.code} summary"
