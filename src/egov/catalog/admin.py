"""Admin for catalogue managers: every change goes through egov.catalog.services.

A published or superseded version is shown read-only; the actions publish a draft (from today)
and start a new version (a draft copy that supersedes the one in force once published).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.catalog.models import Procedure, ProcedureVersion, Sector, VersionStatus
from egov.catalog.services import versions as version_services


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "search_name", "code"]

    def has_change_permission(self, request, obj=None):
        return False  # sectors are created by imports and the services

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "status", "effective_from", "effective_to", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "online_level", "detailed", "status", "current_version"]
    list_filter = ["online_level", "detailed", "status", "scope"]
    search_fields = ["code", "search_text"]
    inlines = [VersionInline]
    actions = ["start_new_version"]
    list_select_related = ["current_version"]

    def get_search_results(self, request, queryset, search_term):
        from egov.core.text import fold

        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def has_add_permission(self, request):
        return False  # new procedures come from imports or the API

    def has_change_permission(self, request, obj=None):
        return obj is None  # the list (and its actions); content is edited on versions

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Start a new version (supersedes the one in force once published)"))
    def start_new_version(self, request, queryset):
        for procedure in queryset:
            try:
                version_services.new_draft(procedure, actor=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"{procedure.code}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, _("%(code)s: draft created.") % {"code": procedure.code})


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "status", "effective_from", "effective_to"]
    list_filter = ["status", "online_level"]
    search_fields = ["procedure__code", "name"]
    list_select_related = ["procedure"]
    actions = ["publish_today", "supersede"]
    fields = [
        "procedure",
        "number",
        "status",
        "effective_from",
        "effective_to",
        "name",
        "online_level",
        "levels",
        "requirements",
        "applicant_types",
        "results",
        "legal_basis",
        "steps",
        "application_form",
        "notes",
    ]
    readonly_fields = ["procedure", "number", "status", "effective_from", "effective_to"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A published version is never edited in place, not even by a superuser.
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from egov.catalog.services.content import read_version

        content = read_version(ProcedureVersion.objects.get(pk=obj.pk))
        for name in form.changed_data:
            content[name] = form.cleaned_data[name]
        try:
            version_services.update_draft(obj, content, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    @admin.action(description=_("Publish the selected drafts from today"))
    def publish_today(self, request, queryset):
        for version in queryset.select_related("procedure"):
            try:
                version_services.publish(
                    version, effective_from=timezone.localdate(), actor=request.user
                )
            except ValidationError as exc:
                self.message_user(request, f"{version}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s published.") % {"version": version})

    @admin.action(description=_("Start a new version superseding the selected one"))
    def supersede(self, request, queryset):
        for version in queryset.select_related("procedure"):
            try:
                version_services.new_draft(version.procedure, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{version}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(code)s: draft created.") % {"code": version.procedure.code}
                )
