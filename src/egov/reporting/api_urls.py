"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import SubmissionViewSet
from .api_dhis2 import DataValueSetViewSet
from .api_signed import SignedDataViewSet
from .api_targets import TargetViewSet
from .api_xlsx import ReportXlsxViewSet
from .approval_api import AggregateViewSet, ApprovalViewSet, CompletenessViewSet, RevisionViewSet

router = SimpleRouter()
router.register("reporting/submissions", SubmissionViewSet, basename="report-submission")
router.register("reporting/approvals", ApprovalViewSet, basename="report-approval")
router.register("reporting/revisions", RevisionViewSet, basename="report-revision")
router.register("reporting/aggregates", AggregateViewSet, basename="report-aggregate")
router.register("reporting/completeness", CompletenessViewSet, basename="report-completeness")
router.register("reporting/data-value-sets", DataValueSetViewSet, basename="report-data-value-sets")
router.register("reporting/signed-data", SignedDataViewSet, basename="report-signed-data")
router.register("reporting/targets", TargetViewSet, basename="report-target")
router.register("reporting/xlsx", ReportXlsxViewSet, basename="report-xlsx")

urlpatterns = router.urls
