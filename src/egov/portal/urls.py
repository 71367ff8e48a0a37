"""Page routes of the citizen portal, mounted at / by egov.urls."""

from django.urls import path

from egov.portal import dossier_views, views

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
    # Dossiers (one-stop shop): apply online, my dossiers, the public lookup.
    path("procedures/<str:code>/submit/", dossier_views.submit, name="submit"),
    path("my/dossiers/", dossier_views.my_dossiers, name="my-dossiers"),
    path("my/dossiers/<str:code>/", dossier_views.my_dossier, name="my-dossier"),
    path(
        "my/dossiers/<str:code>/files/<int:pk>/",
        dossier_views.my_dossier_file,
        name="my-dossier-file",
    ),
    path(
        "my/dossiers/<str:code>/result/", dossier_views.my_dossier_result, name="my-dossier-result"
    ),
    path(
        "my/dossiers/<str:code>/forms/<str:kind>.pdf",
        dossier_views.my_dossier_form,
        name="my-dossier-form",
    ),
    path("my/data-store/<int:pk>/", dossier_views.data_store_file, name="data-store-file"),
    path("lookup/", dossier_views.lookup, name="lookup"),
]
