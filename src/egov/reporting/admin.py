from django.contrib import admin

from egov.reporting.models import Indicator
from egov.reporting.services.indicators import save_indicator


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
