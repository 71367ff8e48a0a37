"""How a dossier moves: workflow steps per procedure version, assignments, transfers, progress."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import Role


class WorkflowStep(models.Model):
    """One step of a procedure version's processing (desk → department → leader → result desk).

    ``organisation`` None means the agency handling the dossier; a step with an organisation is
    done there (a department, or the agency a dossier is transferred to). ``share`` is the part of
    the time limit the step gets (the shares of a version's steps add up to 1).
    """

    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("procedure version"),
        on_delete=models.CASCADE,
        related_name="workflow_steps",
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    share = models.DecimalField(
        _("share of the time limit"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["procedure_version_id", "organisation_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_version", "organisation", "order"],
                name="workflow_step_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


def steps_for(dossier) -> list[WorkflowStep]:
    """The ordered steps the dossier's current agency follows for its procedure version."""
    steps = list(
        WorkflowStep.objects.filter(procedure_version_id=dossier.procedure_version_id).filter(
            Q(organisation_id=dossier.organisation_id) | Q(organisation__isnull=True)
        )
    )
    own = [s for s in steps if s.organisation_id == dossier.organisation_id]
    return sorted(own or steps, key=lambda s: s.order)


class DossierAssignment(models.Model):
    """A dossier (at a step) given to an official; ``ended_at`` set when it moves on."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="assignments"
    )
    step = models.ForeignKey(
        WorkflowStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    official = models.ForeignKey(
        "accounts.Official",
        verbose_name=_("official"),
        on_delete=models.PROTECT,
        related_name="dossier_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dossier_id", "id"]
        indexes = [models.Index(fields=["official", "ended_at"], name="assignment_open_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.official_id}"


class Transfer(models.Model):
    """Liên thông: the dossier passed to another agency, which continues it with its own steps."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="transfers"
    )
    from_organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    transferred_at = models.DateTimeField(_("transferred"))
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["dossier_id", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.from_organisation_id} → {self.to_organisation_id}"


class ProgressRecord(models.Model):
    """One hand-off or act on a dossier (form 05 lists them): who, their title, the unit, when,
    what, and the due time of the step it opens. Written by every service function."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="progress"
    )
    at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=32)
    from_status = models.PositiveSmallIntegerField(_("from status"), null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(_("to status"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied at the time of the act: names and titles change, the record must not.
    actor_name = models.CharField(_("by"), max_length=255, blank=True)
    actor_title = models.CharField(_("title"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    step = models.ForeignKey(
        WorkflowStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("progress record")
        verbose_name_plural = _("progress records")
        ordering = ["dossier_id", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="progress_dossier_at_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
