"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api as officials_api

officials_router = SimpleRouter()
officials_router.register("officials", officials_api.OfficialViewSet, basename="official")

urlpatterns: list = [
    path("oauth/token", officials_api.TokenView.as_view(), name="oauth-token"),
    path("me/", officials_api.MeView.as_view(), name="me"),
    *officials_router.urls,
]
