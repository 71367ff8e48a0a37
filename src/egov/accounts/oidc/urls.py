"""Citizen login routes, mounted under /accounts/ by egov.accounts.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("oidc/login", views.login, name="oidc-login"),
    path("oidc/callback", views.callback, name="oidc-callback"),
    path("oidc/logout", views.logout, name="oidc-logout"),
    path("oidc/logged-out", views.logged_out, name="oidc-logged-out"),
    path("oidc/backchannel-logout", views.backchannel_logout, name="oidc-backchannel-logout"),
    path("citizen/", views.citizen_home, name="citizen-home"),
    path("citizen/profile", views.citizen_profile, name="citizen-profile"),
]
