"""An organisation's report for one period of a regime, its values, and the regime's checks.

A submission holds one value per indicator and disaggregation (the option codes of the
indicator's category combo, joined by "."; empty when not broken down). Validation rules are
DHIS2-like: a comparison between two indicators' values (part <= total) or a required value,
each either a warning (the reporter confirms it) or blocking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.models import Organisation

from .indicators import Indicator
from .regimes import ReportingRegime


class Submission(models.Model):
    regime = models.ForeignKey(
        ReportingRegime,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("reporting regime"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="report_submissions",
        verbose_name=_("reporting organisation"),
    )
    # The period by its number in its year (month 1-12, quarter 1-4...); the kind is the
    # regime's periodicity. A thematic or ad hoc regime has one period: year of its cut-off, 1.
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("period number"), default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    # The warnings the reporter confirmed when submitting: [{"rule", "message"}].
    warnings = models.JSONField(_("confirmed warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("report submission")
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "organisation", "year", "number"],
                name="reporting_submission_period",
            )
        ]

    def __str__(self):
        return f"{self.regime} · {self.organisation} · {self.number}/{self.year}"


class DataValue(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="values", verbose_name=_("submission")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    disaggregation = models.CharField(_("disaggregation"), max_length=120, blank=True)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6)
    # The reporter's note on the value (DHIS2's data value comment), shown beside it.
    comment = models.TextField(_("note on the value"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("data value")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator", "disaggregation"],
                name="reporting_value_once",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.disaggregation} = {self.value}"


class Severity(models.TextChoices):
    WARNING = "warning", _("Warning")
    BLOCKING = "blocking", _("Blocking")


class Operator(models.TextChoices):
    LESS_OR_EQUAL = "<=", _("at most")
    LESS = "<", _("less than")
    EQUAL = "==", _("equal to")
    GREATER_OR_EQUAL = ">=", _("at least")
    GREATER = ">", _("greater than")
    REQUIRED = "required", _("is required")
    # The same indicator in the organisation's previous period: within ±percent of it. The
    # label is never %-formatted; without the flag below xgettext reads "% o" as a format and
    # msgfmt --check fails on the translation.
    # xgettext:no-python-format
    WITHIN = "within%", _("within ±x% of the previous period")


class MissingValues(models.TextChoices):
    """DHIS2's missing-value strategies: when a comparison is skipped for want of a value."""

    SKIP_IF_ANY = "skip_if_any", _("Skip if any value is missing")
    SKIP_IF_ALL = "skip_if_all", _("Skip if all values are missing")
    NEVER_SKIP = "never_skip", _("Never skip")


class ValidationRule(models.Model):
    """``left operator right`` on a submission's totals, ``left`` required, or ``left`` within
    ±``percent`` of its value in the organisation's previous period."""

    regime = models.ForeignKey(
        ReportingRegime,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("reporting regime"),
    )
    name = models.CharField(_("name"), max_length=255)
    left = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    operator = models.CharField(_("comparison"), max_length=8, choices=Operator.choices)
    right = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("compared with"),
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.BLOCKING
    )
    # DHIS2's missing-value strategy; a comparison that is not skipped treats a missing side
    # as broken (DHIS2 reads it as 0 when "never skip": a reporter must see the gap, not a 0).
    missing_values = models.CharField(
        _("when a value is missing"),
        max_length=12,
        choices=MissingValues.choices,
        default=MissingValues.SKIP_IF_ANY,
    )
    # Operator.WITHIN only: the largest change from the previous period, in percent.
    percent = models.DecimalField(
        _("allowed change (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("validation rule")
        ordering = ["regime", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(operator="within%")
                | models.Q(percent__isnull=False, percent__gte=0),
                name="reporting_rule_within_percent",
            )
        ]

    def __str__(self):
        return self.name
