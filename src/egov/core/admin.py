from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from egov.core.models import AuditEntry, CalendarOverride, Organisation, OutboxMessage
from egov.core.services import organisations as org_services


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "code",
            "code_source",
            "name",
            "name_en",
            "abbreviation",
            "level",
            "unit_type",
            "parent",
            "unit_code",
            "valid_from",
            "valid_to",
            "successor",
            "office_hours",
            "website",
        ]

    def _post_clean(self):
        super()._post_clean()
        try:
            org_services.check(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "code", "level", "parent", "valid_from", "valid_to", "code_source"]
    list_filter = ["level", "code_source"]
    search_fields = ["code", "search_name", "name"]
    raw_id_fields = ["parent", "successor"]
    readonly_fields = ["path"]

    def get_search_results(self, request, queryset, search_term):
        # Diacritic-insensitive: "ha noi" finds "Hà Nội".
        from egov.core.text import fold

        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def save_model(self, request, obj, form, change):
        # The admin writes through the same service as everybody else.
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            org_services.update_organisation(obj, actor=request.user, **data)
        else:
            fields = org_services.OrganisationData.__dataclass_fields__
            created = org_services.create_organisation(
                org_services.OrganisationData(
                    **{k: v for k, v in form.cleaned_data.items() if k in fields}
                ),
                actor=request.user,
            )
            obj.pk = created.pk


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["seq", "created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "request_id", "actor"]

    # Append-only: nobody edits or deletes audit rows, not even a superuser.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "organisation", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["organisation"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "key", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["key"]

    # Read-only: rows change through egov.core.services.outbox (its task and sweep) only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
