"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import SubmissionViewSet
from .api_xlsx import ReportXlsxViewSet

router = SimpleRouter()
router.register("reporting/submissions", SubmissionViewSet, basename="report-submission")

router.register("reporting/xlsx", ReportXlsxViewSet, basename="report-xlsx")

urlpatterns = router.urls
