"""Reporting regimes (chế độ báo cáo, Decree 09/2019/NĐ-CP) and their deadlines per level.

A regime says what is reported (its indicators), by whom (the reporting organisations), how
often (a periodic regime's periodicity and window convention; a thematic or ad hoc one's single
cut-off date), and through which levels a report passes, each with its deadline. A deadline is
counted in working days after the cut-off (the working calendar of egov.core), so "at least one
working day after the cut-off" is a count of at least 1, and the levels' order
(commune < province < ministry < Government) is an order on the counts. The rules are checked by
``egov.reporting.rules.check_regime`` in the service that saves a regime.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.models import Organisation

from ..periods import Convention
from .indicators import Indicator, Periodicity


class RegimeKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic")
    THEMATIC = "thematic", _("Thematic")
    AD_HOC = "ad_hoc", _("Ad hoc")


class ReportingLevel(models.TextChoices):
    """The levels a report passes through, bottom up."""

    COMMUNE = "commune", _("Commune")
    PROVINCE = "province", _("Province")
    MINISTRY = "ministry", _("Ministry")
    GOVERNMENT = "government", _("Government")


# Bottom up: each level's deadline comes before the next one's.
LEVEL_ORDER = {level: rank for rank, level in enumerate(ReportingLevel.values)}


class ReportingRegime(models.Model):
    code = models.SlugField(_("regime code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=RegimeKind.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    # Periodic regimes only.
    periodicity = models.CharField(
        _("periodicity"), max_length=8, choices=Periodicity.choices, blank=True
    )
    convention = models.CharField(
        _("period convention"),
        max_length=10,
        choices=Convention.choices,
        default=Convention.DECREE_09,
    )
    # Thematic and ad hoc regimes only: the one day their data is counted up to.
    cutoff = models.DateField(_("cut-off date"), null=True, blank=True)
    indicators = models.ManyToManyField(Indicator, verbose_name=_("indicators"), blank=True)
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("reporting organisations"),
        blank=True,
        related_name="reporting_regimes",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reporting regime")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RegimeStage(models.Model):
    """One level a report passes through, and when that level must have sent it on."""

    regime = models.ForeignKey(
        ReportingRegime,
        on_delete=models.CASCADE,
        related_name="stages",
        verbose_name=_("reporting regime"),
    )
    level = models.CharField(_("level"), max_length=10, choices=ReportingLevel.choices)
    working_days_after_cutoff = models.PositiveSmallIntegerField(
        _("deadline (working days after the cut-off)")
    )

    class Meta:
        verbose_name = _("regime level")
        constraints = [
            models.UniqueConstraint(fields=["regime", "level"], name="reporting_stage_level"),
            models.CheckConstraint(
                condition=models.Q(working_days_after_cutoff__gte=1),
                name="reporting_stage_after_cutoff",
            ),
        ]

    def __str__(self):
        return f"{self.regime} · {self.get_level_display()}"
