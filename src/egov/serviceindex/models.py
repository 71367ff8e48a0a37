"""The service index as data: versions, groups, indicators; frozen months.

A version of the index is a set of indicators (the rules change: a new version, never an edit of
one used by a frozen month). An indicator names the function that computes it (``formula``, a
key of ``egov.serviceindex.indicators.FORMULAS``); its points, target and parameters are here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NaRule(models.TextChoices):
    # What a group does when one of its indicators has no figures (denominator 0, no source).
    REBASE = "rebase", _("Re-based over the indicators with figures")
    NA = "na", _("Not available when one indicator is not")


class DataSource(models.TextChoices):
    CATALOG = "catalog", _("Catalogue of procedures")
    DOSSIERS = "dossiers", _("Dossiers")
    PAYMENTS = "payments", _("Payments")
    PETITIONS = "petitions", _("Feedback and petitions")
    SYNC = "sync", _("Sync to the national portal")
    RATINGS = "ratings", _("Satisfaction ratings")
    EXCHANGE = "exchange", _("Document exchange")
    NONE = "none", _("Not recorded by the platform")


class Variant(models.TextChoices):
    ALL = "all", _("Ministries and provinces")
    MINISTRY = "ministry", _("Ministries")
    PROVINCE = "province", _("Provinces")


class Measure(models.TextChoices):
    RATE = "rate", _("Rate")
    # An average (e.g. working days per dossier): information, no points.
    AVERAGE = "average", _("Average")


class IndexVersion(models.Model):
    code = models.CharField(_("version code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    # The version of a month is the latest whose applies_from is on or before its first day.
    applies_from = models.DateField(_("applies from"))
    basis = models.TextField(_("legal basis"), blank=True, default="")

    class Meta:
        verbose_name = _("index version")
        verbose_name_plural = _("index versions")
        ordering = ["-applies_from"]

    def __str__(self) -> str:
        return self.name


class IndicatorGroup(models.Model):
    version = models.ForeignKey(IndexVersion, on_delete=models.CASCADE, related_name="groups")
    key = models.CharField(max_length=32)
    name = models.CharField(_("name"), max_length=255)
    maximum = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    na_rule = models.CharField(max_length=8, choices=NaRule.choices, default=NaRule.REBASE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="serviceindex_group_key")
        ]

    def __str__(self) -> str:
        return self.name


class IndexIndicator(models.Model):
    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    # The formula document's number, e.g. "2.1".
    code = models.CharField(_("indicator code"), max_length=16)
    name = models.CharField(_("name"), max_length=255)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    formula = models.CharField(_("formula"), max_length=64)
    measure = models.CharField(max_length=8, choices=Measure.choices, default=Measure.RATE)
    # A rate in percent: full points at or above it, else rate × points ÷ target.
    target = models.DecimalField(_("target rate (%)"), max_digits=5, decimal_places=2, default=100)
    data_source = models.CharField(_("data source"), max_length=12, choices=DataSource.choices)
    variant = models.CharField(
        _("applies to"), max_length=10, choices=Variant.choices, default=Variant.ALL
    )
    # The formula's parameters, e.g. {"ministry_days": 20, "province_days": 5}.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    numerator_label = models.CharField(_("numerator"), max_length=255)
    denominator_label = models.CharField(_("denominator"), max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="serviceindex_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Snapshot(models.Model):
    """A closed month frozen with the version used: its pages read this, not the live tables."""

    version = models.ForeignKey(IndexVersion, on_delete=models.PROTECT, related_name="snapshots")
    month = models.DateField(_("month"), unique=True)  # its first day
    computed_at = models.DateTimeField(_("computed"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 0 when first frozen; each audited recompute adds one.
    recomputed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("frozen month")
        verbose_name_plural = _("frozen months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%m/%Y")


class SnapshotFigure(models.Model):
    """One indicator's figures for one ranked organisation in a frozen month."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="figures")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(IndexIndicator, on_delete=models.PROTECT, related_name="+")
    numerator = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    na_reason = models.CharField(max_length=255, blank=True, default="")
    # What was counted, so that a frozen month's lists do not move with later data.
    numerator_ids = models.JSONField(default=list)
    denominator_ids = models.JSONField(default=list)

    class Meta:
        verbose_name = _("frozen figure")
        verbose_name_plural = _("frozen figures")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "organisation", "indicator"], name="serviceindex_figure_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.organisation_id} {self.indicator_id}"
