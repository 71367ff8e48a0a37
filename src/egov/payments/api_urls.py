"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("payments", api.PaymentViewSet, basename="payment")

urlpatterns = router.urls
