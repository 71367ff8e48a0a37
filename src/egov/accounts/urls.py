"""Page routes of this app, mounted by egov.urls."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("egov.accounts.oidc.urls")),  # citizens (OpenID Connect)
]
