"""Indicators (chỉ tiêu), their disaggregations and the sets they belong to.

An indicator says what is reported (name, unit, value type), by which levels of the government
tree, how often, and how its values roll up the tree. The roll-up rule matters: a national-only
figure (GDP, growth rates) is never summed from the provinces, and a rate is recomputed with its
weights rather than averaged. Disaggregations follow DHIS2's category combinations: a combo is a
list of categories (sex, urban/rural...), each with its options; a value is kept per combination
of options.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..periods import Periodicity


class Field(models.TextChoices):
    """The nine fields of the Government's socio-economic indicators."""

    ECONOMIC_GROWTH = "economic_growth", _("Economic growth")
    PUBLIC_FINANCE = "public_finance", _("Public finance")
    MACRO_STABILITY = "macro_stability", _("Macroeconomic stability")
    BUSINESS_ENVIRONMENT = "business_environment", _("Business environment")
    LABOUR = "labour", _("Labour and employment")
    SOCIAL = "social", _("Social affairs")
    ENVIRONMENT = "environment", _("Environment")
    PUBLIC_ADMINISTRATION = "public_administration", _("Public administration")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure, science and technology")


class ValueType(models.TextChoices):
    NUMBER = "number", _("Number")
    INTEGER = "integer", _("Whole number")
    PERCENTAGE = "percentage", _("Percentage")


class IndicatorLevel(models.TextChoices):
    """The levels of the tree an indicator has figures at."""

    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class Aggregation(models.TextChoices):
    """How a figure rolls up the tree."""

    SUM = "sum", _("Sum")
    WEIGHTED = "weighted", _("Average weighted by another indicator")
    LAST = "last", _("Last value")
    NATIONAL_ONLY = "national_only", _("Not aggregated (the compiling body's figure only)")
    FORMULA = "formula", _("Formula over other indicators")


class Category(models.Model):
    """One way to break a figure down (sex, urban/rural, ownership sector...)."""

    code = models.SlugField(_("category code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("category")
        ordering = ["code"]

    def __str__(self):
        return self.name


class CategoryOption(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="options", verbose_name=_("category")
    )
    code = models.SlugField(_("option code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category option")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="reporting_option_code")
        ]

    def __str__(self):
        return self.name


class CategoryCombo(models.Model):
    """A disaggregation: values are kept per combination of one option of each category."""

    code = models.SlugField(_("disaggregation code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)

    class Meta:
        verbose_name = _("disaggregation")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    # Our stable key (the source data's ``id``); ``code`` is the official statistical code
    # (HTCTTKQG), known for few indicators, so it cannot be the key.
    key = models.SlugField(_("indicator key"), max_length=64, unique=True)
    code = models.CharField(_("statistical indicator code"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    field = models.CharField(_("field"), max_length=24, choices=Field.choices)
    group = models.CharField(_("group"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=255)
    value_type = models.CharField(
        _("value type"), max_length=12, choices=ValueType.choices, default=ValueType.NUMBER
    )
    periodicity = models.CharField(_("periodicity"), max_length=8, choices=Periodicity.choices)
    levels = models.JSONField(_("levels that report it"), default=list)
    aggregation = models.CharField(_("aggregation"), max_length=16, choices=Aggregation.choices)
    # For WEIGHTED: the indicator whose values are the weights (labour force for the
    # unemployment rate). Left empty until an administrator names it: the source data names
    # the rule, not the weight.
    weight = models.ForeignKey(
        "self",
        verbose_name=_("weighted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="weighting",
    )
    # For FORMULA: an expression over other indicators' keys, e.g. "exports - imports"
    # (formulas.py: the language, its checks, its figures).
    formula = models.CharField(_("formula"), max_length=255, blank=True)
    aggregation_note = models.TextField(_("aggregation note"), blank=True)
    disaggregation = models.ForeignKey(
        CategoryCombo,
        verbose_name=_("disaggregation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Where name, unit and rule come from: [{"url"|"repo"+"path", "what"}].
    sources = models.JSONField(_("sources"), default=list, blank=True)

    class Meta:
        verbose_name = _("indicator")
        ordering = ["field", "key"]

    def __str__(self):
        return self.name

    # The formula checks (reporting/formulas.py: the language). That module reads Indicator, so
    # this one cannot import it: ReportingConfig.ready() sets them.
    check_formula = staticmethod(lambda indicator: None)
    check_formula_users = staticmethod(lambda indicator: None)

    def clean(self):
        errors = {}
        unknown = set(self.levels or []) - set(IndicatorLevel.values)
        if not self.levels or unknown:
            errors["levels"] = _("Choose the levels that report this indicator.")
        if self.aggregation == Aggregation.FORMULA and not self.formula:
            errors["formula"] = _("An indicator computed by formula needs its formula.")
        elif self.aggregation == Aggregation.FORMULA:
            try:
                self.check_formula(self)
            except ValidationError as error:
                errors.update(error.message_dict)
        try:  # the formulas that use this indicator, if its key or breakdown changes
            self.check_formula_users(self)
        except ValidationError as error:
            errors.update(error.message_dict)
        if self.weight_id and self.weight_id == self.pk:
            errors["weight"] = _("An indicator cannot be weighted by itself.")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity is before its start.")
        if errors:
            raise ValidationError(errors)


class IndicatorSet(models.Model):
    """A set of indicators (bộ chỉ tiêu): the Government's 200, a ministry's steering set."""

    code = models.SlugField(_("indicator set code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    # How many the set has on paper: a dashboard shows "connected x/planned".
    planned_size = models.PositiveIntegerField(_("planned number of indicators"), default=0)
    indicators = models.ManyToManyField(Indicator, verbose_name=_("indicators"), blank=True)

    class Meta:
        verbose_name = _("indicator set")
        ordering = ["code"]

    def __str__(self):
        return self.name
