"""Targets (chỉ tiêu kế hoạch) of indicators: the figure a plan or a resolution aims at.

A target belongs to one indicator and, optionally, to one organisation (none: every
organisation and the nation) and one year and period (0: every year, every period of the
year). The most specific one applies (``egov.reporting.targets.pick``). Its direction says how
a figure is judged: higher is better (at least ``low``), lower is better (at most ``high``), or
within a band [``low``, ``high``]. A figure that misses by at most ``near_percent`` of the target
is "near"; the dashboard shows met / near / missed in words and colour.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.core.models import Organisation

from .indicators import Indicator


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better (at least the target)")
    LOWER = "lower", _("Lower is better (at most the target)")
    BAND = "band", _("Within a band")


class Target(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Empty: every organisation and the nation."),
    )
    year = models.PositiveSmallIntegerField(_("year"), default=0, help_text=_("0: every year."))
    number = models.PositiveSmallIntegerField(
        _("period number"), default=0, help_text=_("0: every period of the year.")
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    low = models.DecimalField(
        _("lower bound"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    high = models.DecimalField(
        _("upper bound"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    near_percent = models.DecimalField(
        _("near within (percent of the target)"), max_digits=5, decimal_places=2, default=5
    )
    note = models.CharField(_("source of the target"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        ordering = ["indicator", "organisation", "year", "number"]
        constraints = [
            # Two partial constraints: a NULL organisation is distinct from every other NULL
            # in a plain unique constraint (on both databases).
            models.UniqueConstraint(
                fields=["indicator", "organisation", "year", "number"],
                condition=Q(organisation__isnull=False),
                name="reporting_target_of_organisation",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "number"],
                condition=Q(organisation__isnull=True),
                name="reporting_target_everywhere",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.get_direction_display()}"

    def clean(self):
        errors = {}
        if self.direction in (Direction.HIGHER, Direction.BAND) and self.low is None:
            errors["low"] = _("Give the lower bound of the target.")
        if self.direction in (Direction.LOWER, Direction.BAND) and self.high is None:
            errors["high"] = _("Give the upper bound of the target.")
        bounds = None not in (self.low, self.high)
        if self.direction == Direction.BAND and bounds and self.high < self.low:
            errors["high"] = _("The upper bound is below the lower bound.")
        if self.number and not self.year:
            errors["number"] = _("A target for one period needs its year.")
        if self.year and not 2000 <= self.year <= 2099:
            errors["year"] = _("The year must be between 2000 and 2099.")
        if self.near_percent is not None and not 0 <= self.near_percent <= 100:
            errors["near_percent"] = _("Give a percentage between 0 and 100.")
        if errors:
            raise ValidationError(errors)
