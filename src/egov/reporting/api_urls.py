"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import SubmissionViewSet

router = SimpleRouter()
router.register("reporting/submissions", SubmissionViewSet, basename="report-submission")

urlpatterns = router.urls
