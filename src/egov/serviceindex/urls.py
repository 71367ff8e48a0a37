"""The index's pages, under /service-index/ (the app's url_prefix)."""

from django.urls import path

from . import views

app_name = "serviceindex"

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("organisations/<int:pk>/recompute/", views.recompute, name="recompute"),
    path("organisations/<int:pk>/indicators/<str:code>/", views.drilldown, name="drilldown"),
    path(
        "organisations/<int:pk>/indicators/<str:code>/export.xlsx",
        views.drilldown_xlsx,
        name="drilldown-xlsx",
    ),
]
