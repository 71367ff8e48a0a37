"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from egov.consultation.api.comments import CommentViewSet
from egov.consultation.api.reform import ReformPlanViewSet
from egov.consultation.api.views import (
    ConsultationViewSet,
    DraftViewSet,
    RegulationViewSet,
)

router = SimpleRouter()
router.register("consultation/regulations", RegulationViewSet, basename="consultation-regulation")
router.register("consultation/drafts", DraftViewSet, basename="consultation-draft")
router.register("consultation/consultations", ConsultationViewSet, basename="consultation")
router.register("consultation/reform-plans", ReformPlanViewSet, basename="consultation-plan")
router.register("consultation/comments", CommentViewSet, basename="consultation-comment")

urlpatterns = router.urls
