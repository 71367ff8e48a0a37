"""The government tree: central bodies, provinces, (districts before 2025), communes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Mã định danh điện tử (QĐ 20/2020/QĐ-TTg): DDD.CC.BB.AXX, A is G (central) or H (province),
# XX the level-1 unit, BB/CC/DDD the units below it (00 / 000 when unused).
CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[GH]\d{2}$")


def validate_code(value: str) -> None:
    if not CODE_RE.match(value or ""):
        raise ValidationError(
            _("“%(value)s” is not an electronic identification code like 000.00.00.G22."),
            code="invalid_code",
            params={"value": value},
        )


class Level(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class CodeSource(models.TextChoices):
    # Honesty about where a code comes from: published lists, or made by us for units whose
    # official code is not in any source we have (see docs/data.md).
    OFFICIAL = "official", _("Published")
    INFERRED = "inferred", _("Inferred from a predecessor")
    GENERATED = "generated", _("Generated")


class Organisation(models.Model):
    code = models.CharField(_("electronic identification code"), max_length=13)
    code_source = models.CharField(
        max_length=10, choices=CodeSource.choices, default=CodeSource.OFFICIAL
    )
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=32, blank=True)
    # Lower-case, diacritics removed, đ → d: what name search matches against.
    search_name = models.CharField(max_length=255, editable=False, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    unit_type = models.CharField(_("unit type"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids, "/1/35/900/": a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    # Statistical (GSO) code of the administrative unit, for provinces and communes.
    unit_code = models.CharField(_("administrative unit code"), max_length=8, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    # Office hours as [["07:00", "11:30"], ["13:30", "17:00"]]; empty: inherit from the parent,
    # then the national default (egov.core.calendar).
    office_hours = models.JSONField(_("office hours"), default=list, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="org_code_valid_from"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="org_validity_order",
            ),
        ]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )
