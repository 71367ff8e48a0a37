"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import BallotViewSet

router = SimpleRouter()
router.register("cabinet/ballots", BallotViewSet, basename="cabinet-ballot")

urlpatterns = router.urls
