"""API routes of the exchange, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("exchange/packages", api.PackageViewSet, basename="exchange-package")
router.register("exchange/mailbox", api.MailboxViewSet, basename="exchange-mailbox")
router.register("exchange/statuses", api.StatusViewSet, basename="exchange-status")

urlpatterns = router.urls
