"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import AssignmentViewSet

router = SimpleRouter()
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = router.urls
