"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CriteriaView, RatingViewSet

router = SimpleRouter()
router.register("ratings", RatingViewSet, basename="rating")

urlpatterns = [
    path("rating-criteria/", CriteriaView.as_view(), name="rating-criteria"),
    *router.urls,
]
