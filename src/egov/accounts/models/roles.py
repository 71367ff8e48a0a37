"""Roles held by officials at organisations, and delegations of them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DESK = "desk", _("One-stop desk")
    PROCESSOR = "processor", _("Processor")
    APPROVER = "approver", _("Approver (leader)")
    CLERK = "clerk", _("Document clerk")
    REPORTER = "reporter", _("Reporter")
    CATALOGUE_MANAGER = "catalogue_manager", _("Catalogue manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class RoleAssignment(models.Model):
    official = models.ForeignKey(
        "accounts.Official", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    include_subtree = models.BooleanField(_("also for the units below"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [models.Index(fields=["official", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.organisation_id}"


class Delegation(models.Model):
    """A leader hands one of their roles to another official for a date range (ủy quyền)."""

    delegator = models.ForeignKey(
        "accounts.Official",
        verbose_name=_("delegated by"),
        on_delete=models.CASCADE,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        "accounts.Official",
        verbose_name=_("delegated to"),
        on_delete=models.CASCADE,
        related_name="delegations_received",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    include_subtree = models.BooleanField(_("also for the units below"), default=False)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_dates_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.delegator_id}→{self.delegate_id} {self.starts_on}–{self.ends_on}"
