"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("sync/failures", api.FailureViewSet, basename="sync-failure")

urlpatterns = [
    path("sync/session", api.SessionView.as_view(), name="sync-session"),
    path("sync/service", api.ServiceView.as_view(), name="sync-service"),
    path("sync/lookup/", api.LookupView.as_view(), name="sync-lookup"),
    path("sync/figures/", api.FiguresView.as_view(), name="sync-figures"),
    *router.urls,
]
