from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from egov.accounts import policy, scopes
from egov.accounts.models import (
    ApiClient,
    ClientKey,
    Delegation,
    Official,
    Representation,
    RoleAssignment,
)
from egov.accounts.services import clients as client_services
from egov.accounts.services import officials as official_services
from egov.accounts.services import representations as representation_services

from .models import User

admin.site.register(User, UserAdmin)


# --- Officials, roles, delegations, API clients (writes go through egov.accounts.services) ---


def _admin_login(request, extra_context=None):
    """The admin has no login form of its own: officials log in with password and code."""
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), reverse("official-login")
    )


admin.site.login = _admin_login


class PolicyAdmin(admin.ModelAdmin):
    """Rows the user administers (scope ``accounts.admin`` at their organisation) and no others."""

    scope = scopes.ADMIN

    def get_queryset(self, request):
        return policy.scope_queryset(request.user, self.scope, super().get_queryset(request))

    def has_module_permission(self, request):
        return self.scope in policy.scopes_of(request.user) or policy.is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.can(request.user, self.scope, obj)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return policy.can(request.user, self.scope, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # ended or revoked through the services, never deleted


class OfficialCreateForm(forms.ModelForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    class Meta:
        model = Official
        fields = ["organisation", "title"]

    def clean(self):
        data = super().clean()
        from django.contrib.auth.password_validation import validate_password

        if data.get("password"):
            try:
                validate_password(data["password"], User(username=data.get("username", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        if User.objects.filter(username__iexact=data.get("username", "")).exists():
            self.add_error("username", _("This username is taken."))
        return data


@admin.register(Official)
class OfficialAdmin(PolicyAdmin):
    list_display = ["__str__", "title", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "title"]
    raw_id_fields = ["organisation"]
    fields = ["organisation", "title"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OfficialCreateForm
            kwargs["fields"] = ["username", "email", "password", "organisation", "title"]
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "email", "password", "organisation", "title"]
        return self.fields

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            official_services.update_official(obj, actor=request.user, **data)
            return
        created = official_services.create_official(
            username=form.cleaned_data["username"],
            email=form.cleaned_data.get("email", ""),
            password=form.cleaned_data["password"],
            organisation=form.cleaned_data["organisation"],
            title=form.cleaned_data.get("title", ""),
            actor=request.user,
        )
        obj.pk = created.pk


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(PolicyAdmin):
    list_display = ["official", "role", "organisation", "include_subtree", "valid_from", "valid_to"]
    list_filter = ["role", "include_subtree"]
    raw_id_fields = ["official", "organisation"]
    fields = ["official", "role", "organisation", "include_subtree", "valid_from", "valid_to"]
    actions = ["end_roles"]

    def get_readonly_fields(self, request, obj=None):
        # A role is given or ended, never rewritten: its history is what the audit refers to.
        return self.fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = official_services.assign_role(
            data["official"],
            data["role"],
            data["organisation"],
            actor=request.user,
            include_subtree=data["include_subtree"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )
        obj.pk = created.pk

    @admin.action(description=_("End the selected roles (from today)"))
    def end_roles(self, request, queryset):
        for assignment in queryset:
            official_services.end_role(assignment, actor=request.user)


@admin.register(Delegation)
class DelegationAdmin(PolicyAdmin):
    list_display = [
        "delegator",
        "delegate",
        "role",
        "organisation",
        "starts_on",
        "ends_on",
        "revoked_at",
    ]
    raw_id_fields = ["delegator", "delegate", "organisation"]
    fields = [
        "delegator",
        "delegate",
        "role",
        "organisation",
        "include_subtree",
        "starts_on",
        "ends_on",
        "reason",
    ]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = official_services.delegate(
            delegator=data["delegator"],
            delegate=data["delegate"],
            role=data["role"],
            organisation=data["organisation"],
            include_subtree=data["include_subtree"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            actor=request.user,
        )
        obj.pk = created.pk

    @admin.action(description=_("Revoke the selected delegations"))
    def revoke(self, request, queryset):
        for delegation in queryset:
            official_services.revoke_delegation(delegation, actor=request.user)


class RepresentationForm(forms.ModelForm):
    class Meta:
        model = Representation
        fields = [
            "citizen",
            "kind",
            "principal_kind",
            "principal_id_number",
            "principal_name",
            "basis",
            "valid_from",
            "valid_to",
            "organisation",
        ]

    def clean(self):
        data = super().clean()
        try:
            representation_services.check_representation(
                **{
                    name: data.get(name)
                    for name in (
                        "citizen",
                        "kind",
                        "principal_kind",
                        "principal_id_number",
                        "principal_name",
                        "valid_from",
                        "valid_to",
                    )
                }
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name, messages)
        return data


@admin.register(Representation)
class RepresentationAdmin(PolicyAdmin):
    """Đại diện, ủy quyền recorded by an office that verified the paper; revoked, never edited."""

    list_display = [
        "__str__",
        "principal_kind",
        "organisation",
        "valid_from",
        "valid_to",
        "revoked_at",
    ]
    list_filter = ["kind", "principal_kind"]
    form = RepresentationForm
    raw_id_fields = ["citizen", "organisation"]
    fields = RepresentationForm.Meta.fields
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.fields, "recorded_by", "recorded_at", "revoked_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = representation_services.record_representation(
            actor=request.user,
            citizen=data["citizen"],
            kind=data["kind"],
            principal_kind=data["principal_kind"],
            principal_id_number=data["principal_id_number"],
            principal_name=data["principal_name"],
            organisation=data["organisation"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            basis=data["basis"],
        )
        obj.pk = created.pk

    @admin.action(description=_("Revoke the selected representations"))
    def revoke(self, request, queryset):
        for representation in queryset:
            representation_services.revoke_representation(representation, actor=request.user)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=lambda: [(k, f"{k}: {v}") for k, v in sorted(client_services.SCOPES.items())],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "organisations", "include_subtree", "scopes", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Superusers only: a client may act for any organisation it is given."""

    form = ApiClientForm
    list_display = ["name", "client_id", "is_active", "created_at"]
    readonly_fields = ["client_id"]
    filter_horizontal = ["organisations"]
    actions = ["new_secret"]

    def has_module_permission(self, request):
        return policy.is_superuser(request.user)

    has_view_permission = has_add_permission = has_change_permission = (
        lambda self, request, obj=None: policy.is_superuser(request.user)
    )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # saved with its organisations in save_related, through the service

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        if change:
            changes = {k: data[k] for k in form.changed_data if k != "organisations"}
            orgs = data["organisations"] if "organisations" in form.changed_data else None
            client_services.update_client(
                form.instance, actor=request.user, organisations=orgs, **changes
            )
        else:
            created = client_services.create_client(
                name=data["name"],
                organisations=list(data["organisations"]),
                scopes=data["scopes"],
                include_subtree=data["include_subtree"],
                actor=request.user,
            )
            form.instance.pk = created.pk
            form.instance.client_id = created.client_id

    @admin.action(description=_("Make a new client secret (shown once)"))
    def new_secret(self, request, queryset):
        for client in queryset:
            key, secret = client_services.add_secret(client, actor=request.user)
            self.message_user(request, f"{client.client_id} {key.kid}: {secret}")


@admin.register(ClientKey)
class ClientKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "client", "kind", "created_at", "expires_at", "revoked_at"]
    list_filter = ["kind"]
    fields = ["client", "kid", "kind", "public_key_pem", "expires_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_module_permission(self, request):
        return policy.is_superuser(request.user)

    has_view_permission = has_change_permission = lambda self, request, obj=None: (
        policy.is_superuser(request.user)
    )

    def has_add_permission(self, request):
        return False  # keys come from the client's actions or `egov api-client add-key`

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected keys (and their tokens)"))
    def revoke(self, request, queryset):
        for key in queryset:
            client_services.revoke_key(key, actor=request.user)
