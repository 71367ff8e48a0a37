"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from .api.lookup import LookupViewSet
from .api.viewsets import DossierViewSet

router = SimpleRouter()
router.register("dossiers", DossierViewSet, basename="dossier")
router.register("dossier-lookup", LookupViewSet, basename="dossier-lookup")

urlpatterns = router.urls
