"""Tasks the Government and the Prime Minister assign (nhiệm vụ được giao, issue 20): the task,
its reports (progress, completion), its extensions and the organisations' focal points.

What the task's category is (done on time, done late, within deadline, overdue, ongoing) is never
stored: :mod:`egov.assignments.status` computes it from (deadline, completed_on, today). What is
stored is what the acts wrote: the stage (``Stage``), the deadline as written and the working day
it falls due on (``due_on``: the calendar moves a deadline on a day off to the next working day),
and the acceptance date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.IntegerChoices):
    """Where the task's acts have taken it (egov.assignments.acts)."""

    OPEN = 1, pgettext_lazy("assignment stage", "Being carried out")
    SUBMITTED = 2, pgettext_lazy("assignment stage", "Completion reported, awaiting acceptance")
    DONE = 3, pgettext_lazy("assignment stage", "Completed (accepted)")
    WITHDRAWN = 4, pgettext_lazy("assignment stage", "Withdrawn")


class DeadlineKind(models.TextChoices):
    DATE = "date", _("By a date")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    ONGOING = "ongoing", _("Ongoing (no deadline)")


RECURRING = frozenset({DeadlineKind.MONTHLY, DeadlineKind.QUARTERLY})


class Origin(models.TextChoices):
    MANUAL = "manual", _("Entered by the Government Office")
    CABINET = "cabinet", _("E-Cabinet conclusion")
    INCOMING = "incoming", _("Incoming document")


class SourceType(models.TextChoices):
    RESOLUTION = "NQ", _("Resolution")
    DECISION = "QĐ", _("Decision")
    DIRECTIVE = "CT", _("Directive")
    CONCLUSION = "TB", _("Conclusion notice")
    LETTER = "CV", _("Official letter")
    DISPATCH = "CĐ", _("Dispatch")
    MINUTES = "BB", _("Minutes")


class Assignment(models.Model):
    # The source document: picked from the exchange's registered documents or typed (paper).
    source_document = models.ForeignKey(
        "exchange.OfficialDocument",
        verbose_name=_("source document in the exchange"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Or received through the exchange: the package the source fields were read from.
    source_package = models.ForeignKey(
        "exchange.Package",
        verbose_name=_("source document received through the exchange"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_number = models.CharField(_("number and symbol"), max_length=100)
    source_date = models.DateField(_("document date"))
    source_type = models.CharField(_("document type"), max_length=4, choices=SourceType.choices)
    source_signer = models.CharField(_("signer"), max_length=255)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    # What it came from outside this app: the e-Cabinet conclusion's or the incoming document's
    # reference (e-Cabinet, issue 19, is not built yet: its conclusions will pass theirs).
    origin_ref = models.CharField(_("origin reference"), max_length=100, blank=True)
    content = models.TextField(_("content"))
    is_key = models.BooleanField(_("key task"), default=False)
    assigner = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="assignments_led",
    )
    coordinators = models.ManyToManyField(
        "core.Organisation",
        verbose_name=_("coordinating organisations"),
        related_name="assignments_coordinated",
        blank=True,
    )
    responsible = models.ForeignKey(
        "accounts.Official",
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline_kind = models.CharField(
        _("deadline"), max_length=10, choices=DeadlineKind.choices, default=DeadlineKind.DATE
    )
    # The deadline as written (a recurring task: the current period's) and the working day it
    # falls due on; the original ones are kept through extensions.
    deadline = models.DateField(_("deadline date"), null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, editable=False)
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    original_due_on = models.DateField(null=True, blank=True, editable=False)
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.OPEN)
    assigned_on = models.DateField(_("assigned on"))
    # Completion counts from acceptance (the Government Office's act), not from the report.
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawal_decision = models.CharField(_("withdrawal decision"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The feed's cursor: every act saves the task.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-assigned_on", "-pk"]
        indexes = [
            models.Index(fields=["lead", "stage"]),
            models.Index(fields=["stage", "due_on"]),
            models.Index(fields=["assigned_on"]),
            # Covers the report (four categories per lead, by either deadline, per origin or
            # key tasks, over the tasks a reader's organisations lead or assigned): read
            # without touching the table.
            models.Index(
                fields=[
                    "lead",
                    "assigner",
                    "withdrawn_at",
                    "due_on",
                    "original_due_on",
                    "completed_on",
                    "origin",
                    "is_key",
                ],
                name="assignment_report",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline_kind="ongoing", deadline__isnull=True)
                | (~models.Q(deadline_kind="ongoing") & models.Q(deadline__isnull=False)),
                name="assignment_deadline_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_number}"

    @property
    def extended(self) -> bool:
        return self.original_deadline is not None and self.deadline != self.original_deadline


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    COMPLETION = "completion", _("Completion report")


class Report(models.Model):
    """The lead's report: progress, or completion with its result document."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    text = models.TextField(_("report"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    # The Government Office's answer to a completion report: accepted, or sent back with reason.
    accepted = models.BooleanField(null=True)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class ReportDocument(models.Model):
    """A document attached to a report: one of the exchange's, or one typed (paper)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "exchange.OfficialDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("number and symbol"), max_length=100)
    date = models.DateField(_("document date"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    is_result = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.number


def report_file_path(instance, filename: str) -> str:
    return f"assignments/{instance.report.assignment_id}/{filename}"


class ReportFile(models.Model):
    """A file uploaded with a report (a scan, the result's PDF): checked by its content as the
    dossiers' uploads are (egov.dossiers.services.files.check)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(upload_to=report_file_path, max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Extension(models.Model):
    """The lead's request to move the deadline, decided by the Government Office."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extensions")
    requested_deadline = models.DateField(_("requested deadline"))
    deadline_before = models.DateField()
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(state="pending"),
                name="one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"extension #{self.pk} → {self.requested_deadline}"


class FocalPoint(models.Model):
    """The official who follows an organisation's assigned tasks (đầu mối theo dõi): gets the
    reminders with the person responsible."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    official = models.ForeignKey("accounts.Official", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.official_id}"
