"""API routes of the exchange, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api import viewsets

router = SimpleRouter()
router.register("exchange/packages", viewsets.PackageViewSet, basename="exchange-package")
router.register("exchange/mailbox", viewsets.MailboxViewSet, basename="exchange-mailbox")
router.register("exchange/statuses", viewsets.StatusViewSet, basename="exchange-status")

urlpatterns = router.urls
