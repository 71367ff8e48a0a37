"""Page routes of the citizen portal, mounted at / by egov.urls (before core's home page)."""

from django.urls import path

from egov.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/", views.search, name="search"),
    path("procedures/<str:code>/", views.procedure, name="procedure"),
    path("procedures/<str:code>/apply/", views.apply, name="apply"),
    path("sectors/", views.sectors, name="sectors"),
    path("sectors/<str:code>/", views.sector, name="sector"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/<str:code>/", views.agency, name="agency"),
]
