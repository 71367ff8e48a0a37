"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import ServiceIndexViewSet

router = SimpleRouter()
router.register("service-index", ServiceIndexViewSet, basename="serviceindex-api")

urlpatterns = router.urls
