"""Page routes of this app, mounted by egov.urls."""

from django.urls import include, path

from . import views as official_views

urlpatterns: list = [
    path("", include("egov.accounts.oidc.urls")),  # citizens (OpenID Connect)
    path("login/", official_views.login_view, name="official-login"),
    path("login/code/", official_views.code_view, name="official-login-code"),
    path("logout/", official_views.logout_view, name="official-logout"),
    path("step-up/", official_views.step_up_view, name="official-step-up"),
    path("password-reset/", official_views.reset_request_view, name="password-reset"),
    path(
        "password-reset/<uidb64>/<token>/",
        official_views.reset_confirm_view,
        name="password-reset-confirm",
    ),
]
