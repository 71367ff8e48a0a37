from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")

urlpatterns = router.urls
