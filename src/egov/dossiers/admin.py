"""Admin: notification templates are edited here; dossiers are read-only (every change of a
dossier goes through egov.dossiers.services; the e-mails are in the core outbox's admin)."""

from django.contrib import admin

from egov.dossiers.models import Dossier, NotificationTemplate, ProgressRecord


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["event", "language", "subject", "active", "updated_at"]
    list_filter = ["language", "active"]
    search_fields = ["event", "subject"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgressInline(admin.TabularInline):
    model = ProgressRecord
    fields = ["at", "action", "from_status", "to_status", "actor_name", "actor_title", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnly):
    list_display = ["code", "status", "organisation", "received_at", "due_at", "timeliness"]
    list_filter = ["status", "timeliness"]
    search_fields = ["code"]
    list_select_related = ["organisation"]
    inlines = [ProgressInline]
    exclude = ["form_data"]
