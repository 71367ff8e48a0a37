"""Records of single acts with data of their own: supplement request, apology, result, and the
citizen's data store of reusable results."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplementRequest(models.Model):
    """Yêu cầu bổ sung (form 02): once per dossier, listing everything missing; the clock stops."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="supplement_request"
    )
    # Everything missing: [{"required_document": id or None, "name": "...", "note": "..."}].
    items = models.JSONField(_("missing items"), default=list)
    reason = models.TextField(_("reason"), blank=True, default="")
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The status the dossier returns to when supplemented (2 received or 4 processing).
    resume_status = models.PositiveSmallIntegerField()
    supplemented_at = models.DateTimeField(_("supplemented"), null=True, blank=True)
    # Working time the clock stood still (added to the due time on supplement).
    paused_working_time = models.DurationField(_("paused working time"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplement request")
        verbose_name_plural = _("supplement requests")

    def __str__(self) -> str:
        return f"supplement {self.dossier_id}"


class Apology(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả (form 04): once, before the due time, with a new date."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="apology"
    )
    reason = models.TextField(_("reason"))
    previous_due_at = models.DateTimeField(_("previous due time"))
    new_due_at = models.DateTimeField(_("new due time"))
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who signs (name, title, unit) as printed on form 04.
    signer_name = models.CharField(_("signed by"), max_length=255, blank=True)
    signer_title = models.CharField(_("title"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("apology")
        verbose_name_plural = _("apologies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_due_at__gt=models.F("previous_due_at")),
                name="apology_new_date_later",
            )
        ]

    def __str__(self) -> str:
        return f"apology {self.dossier_id}"


def result_path(instance, filename: str) -> str:
    return f"dossiers/{instance.dossier_id}/result/{filename}"


class Result(models.Model):
    """The electronic result of a dossier (a signed PDF: licence, certificate, decision)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="result"
    )
    name = models.CharField(_("name"), max_length=255)
    # Number of the result document (e.g. certificate number), and the catalogue's result code.
    number = models.CharField(_("number"), max_length=64, blank=True)
    result_code = models.CharField(_("result code"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to=result_path, max_length=255)
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    signed = models.BooleanField(_("signed"), default=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    attached_at = models.DateTimeField(_("attached"))
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return self.name


class CitizenDataStoreEntry(models.Model):
    """Kho dữ liệu của công dân: a result the applicant can reuse in a later dossier."""

    citizen = models.ForeignKey(
        "accounts.Citizen",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="data_store",
    )
    # For a business applicant (no citizen account of its own).
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=255)
    result_code = models.CharField(_("result code"), max_length=64, blank=True)
    file = models.FileField(_("file"), max_length=255)
    content_type = models.CharField(max_length=100, default="application/pdf")
    sha256 = models.CharField(max_length=64, blank=True)
    source_dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("data store entry")
        verbose_name_plural = _("data store entries")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.name


def related(dossier, name: str):
    """The dossier's one-to-one record ``name`` (result, supplement_request, apology), or None."""
    try:
        return getattr(dossier, name)
    except ObjectDoesNotExist:
        return None
