"""API routes of this app, mounted under /api/v1/ by egov.urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("dossiers", api.DossierViewSet, basename="dossier")
router.register("dossier-lookup", api.LookupViewSet, basename="dossier-lookup")

urlpatterns = router.urls
