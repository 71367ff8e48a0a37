from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from egov.core.numbers import AmountField, CountField
from egov.reporting.models import Indicator, Target
from egov.reporting.services.indicators import save_indicator
from egov.reporting.services.targets import remove_target, set_target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "code", "field", "unit", "periodicity", "aggregation"]
    list_filter = ["field", "periodicity", "aggregation"]
    search_fields = ["key", "code", "name", "name_en"]
    raw_id_fields = ["weight"]

    def save_model(self, request, obj, form, change):
        # The admin writes through the same service as everybody else (audited).
        save_indicator(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # values and regimes point at indicators: end one with valid_to instead


# The column's 24 digits, 6 after the point: beyond, the database would refuse it with a 500.
BOUND = {"whole": False, "min_value": None, "decimal_places": 6, "max_value": Decimal(10**18) - 1}


class TargetForm(forms.ModelForm):
    """The model's own fields read "1.000.000" as an error and "221.000" as 221: bounds are
    figures typed the Vietnamese way ("1.250.000,5"), year and period digits only."""

    low = AmountField(label=_("lower bound"), required=False, **BOUND)
    high = AmountField(label=_("upper bound"), required=False, **BOUND)
    near_percent = AmountField(
        label=_("near within (percent of the target)"),
        whole=False,
        decimal_places=2,
        max_value=999,
        initial=5,
    )

    class Meta:
        model = Target
        fields = [
            "indicator",
            "organisation",
            "year",
            "number",
            "direction",
            "low",
            "high",
            "near_percent",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("year", "number"):  # absent when read only (a saved target's identity)
            if name in self.fields:
                old = self.fields[name]
                self.fields[name] = CountField(
                    label=old.label, initial=old.initial, help_text=old.help_text, max_value=32767
                )


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    form = TargetForm
    list_display = ["indicator", "organisation", "year", "number", "direction", "low", "high"]
    list_filter = ["direction", "year"]
    search_fields = ["indicator__key", "indicator__name", "organisation__code"]
    raw_id_fields = ["indicator", "organisation"]

    def get_readonly_fields(self, request, obj=None):
        # What a target is for is its identity (the service finds it by them): change its
        # terms here, or remove it and set another.
        return ["indicator", "organisation", "year", "number"] if obj else []

    def save_model(self, request, obj, form, change):
        # Through the service: the caller's scope checked, one audit row.
        saved = set_target(
            actor=request.user,
            indicator=obj.indicator,
            organisation=obj.organisation,
            year=obj.year,
            number=obj.number,
            direction=obj.direction,
            low=obj.low,
            high=obj.high,
            near_percent=obj.near_percent,
            note=obj.note,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        remove_target(actor=request.user, target=obj)

    def delete_queryset(self, request, queryset):
        for target in queryset:
            remove_target(actor=request.user, target=target)
