"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import BallotViewSet
from .meeting_api import MeetingViewSet

router = SimpleRouter()
router.register("cabinet/ballots", BallotViewSet, basename="cabinet-ballot")
router.register("cabinet/meetings", MeetingViewSet, basename="cabinet-meeting")

urlpatterns = router.urls
