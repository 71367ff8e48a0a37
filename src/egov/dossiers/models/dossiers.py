"""The dossier (hồ sơ), its components (files) and the per-organisation daily code sequence."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .status import ApplicantKind, Status, Timeliness


class Dossier(models.Model):
    """One application under one procedure version. Every change goes through services."""

    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("procedure version"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    channel = models.ForeignKey(
        "catalog.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    # The agency that took the dossier in (its code starts the dossier code) and the agency
    # handling it now (differs after a transfer, liên thông). Policy: ``organisation``.
    origin_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )

    # Applicant (chủ hồ sơ): a logged-in citizen, or a walk-in/business described by its fields.
    applicant_kind = models.CharField(
        _("applicant kind"), max_length=10, choices=ApplicantKind.choices, default="citizen"
    )
    applicant_citizen = models.ForeignKey(
        "accounts.Citizen",
        verbose_name=_("citizen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    # The personal ID number (12 digits) or, for a business, the tax code: what the public
    # lookup asks for together with the code.
    applicant_id_number = models.CharField(_("ID number or tax code"), max_length=14)
    applicant_name = models.CharField(_("applicant name"), max_length=255)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=32, blank=True)
    applicant_address = models.TextField(_("address"), blank=True, default="")

    status = models.PositiveSmallIntegerField(
        _("status"), choices=Status.choices, default=Status.NEW, db_index=True
    )
    form_data = models.JSONField(_("form data"), default=dict, blank=True)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    # Due time (ngày hẹn trả): fixed at reception, moved by paused time and by an apology.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # The due time fixed at reception, never moved (for reports and the apology's form).
    original_due_at = models.DateTimeField(_("originally due"), null=True, blank=True)
    # When 80% of the working time is used: "at risk" once now >= at_risk_at while open.
    at_risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    # Clock stopped since (supplement requested); working time paused so far.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_total = models.DurationField(_("paused working time"), default=timedelta(0))
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    current_step = models.ForeignKey(
        "dossiers.WorkflowStep",
        verbose_name=_("current step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True)

    # Fees or obligations due (status 6).
    fees_due_vnd = models.PositiveBigIntegerField(_("fees due (VND)"), null=True, blank=True)
    fees_paid_at = models.DateTimeField(_("fees paid"), null=True, blank=True)
    # Reason of a refusal, withdrawal or stop (status 3, 7, 8).
    reason = models.TextField(_("reason"), blank=True, default="")
    # Early / on time / late once finished (processed or returned).
    timeliness = models.CharField(
        _("timeliness"), max_length=12, choices=Timeliness.choices, blank=True, default=""
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_at"], name="dossier_queue_idx"),
            models.Index(fields=["organisation", "received_at"], name="dossier_org_recv_idx"),
            models.Index(fields=["applicant_citizen", "-id"], name="dossier_citizen_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


def component_path(instance, filename: str) -> str:
    return f"dossiers/{instance.dossier_id}/{filename}"


class DossierComponent(models.Model):
    """Thành phần hồ sơ: one file of a dossier, for one required document (or extra)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    required_document = models.ForeignKey(
        "catalog.RequiredDocument",
        verbose_name=_("required document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to=component_path, max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # Digitisation flags (Decree 45/2020, index 766): scanned/uploaded as data; taken from the
    # applicant's data store instead of being brought again.
    digitised = models.BooleanField(_("digitised"), default=False)
    reused = models.BooleanField(_("reused"), default=False)
    reused_from = models.ForeignKey(
        "dossiers.CitizenDataStoreEntry",
        verbose_name=_("reused from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Brought with the supplement rather than the application.
    from_supplement = models.BooleanField(_("from the supplement"), default=False)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["dossier_id", "id"]

    def __str__(self) -> str:
        return self.name


class DailySequence(models.Model):
    """The last number drawn for one organisation on one day (dossier codes' NNNN).

    Drawn with ``UPDATE ... SET last = last + 1 ... RETURNING last`` (row lock until commit), so
    concurrent intake gets distinct numbers and a rolled-back intake gives its number back.
    """

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily dossier numbering")
        verbose_name_plural = _("daily dossier numbering")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="dossier_seq_org_day")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.last}"


class FormDocument(models.Model):
    """An issued one-stop form (01–04) of a dossier: the signed PDF given out every time after."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="forms")
    kind = models.CharField(_("form"), max_length=2)
    file = models.FileField(_("file"), upload_to=component_path, max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("form document")
        verbose_name_plural = _("form documents")
        ordering = ["dossier_id", "id"]
        constraints = [
            # Forms 01–04 are issued once per dossier (egov.dossiers.services.printed_forms).
            models.UniqueConstraint(fields=["dossier", "kind"], name="dossier_form_once")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} form {self.kind}"
