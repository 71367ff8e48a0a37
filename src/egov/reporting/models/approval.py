"""Approval up the tree (DHIS2's data approval), corrections after approval, and the
maintained aggregates.

One ``Approval`` row per approval unit: a regime, an organisation and a period. Its stored
status is what was decided there (approved, accepted by the level above, exempted by the level
above, or nothing); the states a person sees (waiting for the lower levels, ready) are derived
from the lower units in ``egov.reporting.approval_acts``. An approved unit's values are locked:
a correction is a ``Revision`` (who, what, why). ``Aggregate`` rows hold the approved values
rolled up per regime x indicator x organisation (none: the nation) x period x disaggregation;
they are changed in the approving transaction, never rebuilt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.models import Organisation

from .indicators import Indicator
from .regimes import ReportingRegime
from .submissions import Submission


class ApprovalStatus(models.TextChoices):
    # Stored statuses. WAITING and READY (unapproved) are derived, never stored.
    UNAPPROVED = "unapproved", _("Not approved")
    APPROVED = "approved", _("Approved here")
    ACCEPTED = "accepted", _("Accepted by the level above")
    EXEMPTED = "exempted", _("Exempted by the level above")


class Approval(models.Model):
    regime = models.ForeignKey(
        ReportingRegime,
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name=_("reporting regime"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="report_approvals",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("period number"), default=1)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.UNAPPROVED,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Why the level above let itself approve without this unit (an exemption).
    reason = models.TextField(_("reason for the exemption"), blank=True)

    class Meta:
        verbose_name = _("approval")
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "organisation", "year", "number"],
                name="reporting_approval_unit",
            )
        ]

    def __str__(self):
        return f"{self.regime_id} · {self.organisation_id} · {self.number}/{self.year}"


class Revision(models.Model):
    """A correction of approved values: who made it, when, why, and each value before/after."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("submission")
    )
    number = models.PositiveSmallIntegerField(_("revision number"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    made_at = models.DateTimeField(_("corrected at"))
    reason = models.TextField(_("reason"))
    # [{"indicator": key, "disaggregation": "", "before": "1" | None, "after": "2"}]
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        verbose_name = _("revision")
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="reporting_revision_number"
            )
        ]

    def __str__(self):
        return f"{self.submission_id} r{self.number}"


class Aggregate(models.Model):
    """The approved values of one indicator in one organisation's subtree (or the nation's,
    ``organisation`` empty) for one period and disaggregation.

    ``total`` is the sum of the values (for a weighted indicator: of value x weight),
    ``weight`` the sum of the weights, ``count`` the number of approved values in it."""

    regime = models.ForeignKey(
        ReportingRegime, on_delete=models.CASCADE, related_name="+", verbose_name=_("regime")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator")
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("period number"))
    disaggregation = models.CharField(_("disaggregation"), max_length=120, blank=True)
    total = models.DecimalField(_("total"), max_digits=30, decimal_places=6, default=0)
    weight = models.DecimalField(_("weight"), max_digits=30, decimal_places=6, default=0)
    count = models.IntegerField(_("values"), default=0)

    class Meta:
        verbose_name = _("aggregate")
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "indicator", "organisation", "year", "number", "disaggregation"],
                condition=models.Q(organisation__isnull=False),
                name="reporting_aggregate_key",
            ),
            # The nation's rows have no organisation, and NULLs never collide in a unique
            # index (SQLite cannot say otherwise): a partial index of their own.
            models.UniqueConstraint(
                fields=["regime", "indicator", "year", "number", "disaggregation"],
                condition=models.Q(organisation__isnull=True),
                name="reporting_aggregate_nation_key",
            ),
        ]
        indexes = [models.Index(fields=["regime", "indicator", "year", "number"])]

    def __str__(self):
        return f"{self.indicator_id} {self.organisation_id or 'VN'} {self.number}/{self.year}"
