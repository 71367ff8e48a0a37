"""Admin: notification templates and workflow steps are edited here; dossiers are read-only
(every change of a dossier goes through egov.dossiers.services; the e-mails are in the core
outbox's admin)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov.accounts import policy
from egov.catalog import scopes as catalog_scopes
from egov.catalog.models import ProcedureVersion
from egov.core.numbers import AmountField, CountField
from egov.dossiers.models import Dossier, NotificationTemplate, ProgressRecord, WorkflowStep
from egov.dossiers.services import steps as step_services


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


# --- Workflow steps (national configuration: the catalogue managers' scope, catalog.write) ---


class WorkflowStepForm(forms.ModelForm):
    # The model's DecimalField refused "0,5" (the Vietnamese decimal comma) and its order's
    # IntegerField read "1.000" as 1: a share is read the Vietnamese way, an order digits only.
    order = CountField(label=_("order"), max_value=32767)
    share = AmountField(
        label=_("share of the time limit"),
        whole=False,
        decimal_places=3,
        max_value=1,
        initial=0,
    )

    class Meta:
        model = WorkflowStep
        fields = ["procedure_version", "order", "name", "role", "organisation", "share"]

    def _post_clean(self):
        super()._post_clean()
        # The same rules as the service (orders unique, shares at most 1), on the form's fields.
        try:
            step_services.check(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(WorkflowStep)
class WorkflowStepAdmin(admin.ModelAdmin):
    """Steps are national configuration like the catalogue they belong to: whoever holds
    ``catalog.write`` (somewhere) sees and edits them all; nobody else sees them. Every write goes
    through egov.dossiers.services.steps (checked, audited)."""

    scope = catalog_scopes.WRITE
    form = WorkflowStepForm
    list_display = ["procedure_code", "procedure_version", "order", "name", "role", "share"]
    list_filter = ["role"]
    # Procedure.search_text is the folded code, name, sectors and agencies: "khai sinh" finds
    # "Đăng ký khai sinh".
    search_fields = ["procedure_version__procedure__search_text"]
    list_select_related = ["procedure_version__procedure", "organisation"]
    raw_id_fields = ["procedure_version", "organisation"]
    ordering = ["procedure_version__procedure__code", "procedure_version_id", "order"]

    @admin.display(description=_("procedure code"), ordering="procedure_version__procedure__code")
    def procedure_code(self, obj):
        return obj.procedure_version.procedure.code

    def _allowed(self, request) -> bool:
        return policy.can(request.user, self.scope)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self._allowed(request) else queryset.none()

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_search_results(self, request, queryset, search_term):
        from egov.core.text import fold

        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def save_model(self, request, obj, form, change):
        step_services.save_step(obj, actor=request.user)

    def delete_model(self, request, obj):
        try:
            step_services.delete_step(obj, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for step in queryset:
            self.delete_model(request, step)


class WorkflowStepInline(admin.TabularInline):
    """The version's steps on its own page, read-only there: they are changed on the steps'
    screen above (through the service), each row linking to it."""

    model = WorkflowStep
    fields = ["order", "name", "role", "organisation", "share"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["organisation_id", "order"]

    def has_view_permission(self, request, obj=None):
        return policy.can(request.user, WorkflowStepAdmin.scope)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# catalog may not import dossiers (the layers): the inline joins the version's admin from here.
_version_admin = admin.site.get_model_admin(ProcedureVersion)
_version_admin.inlines = [*_version_admin.inlines, WorkflowStepInline]
