from django.contrib import admin

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


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
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
