from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from egov.core import views as core_views

# Each app owns its routes; this file only mounts them.
api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", core_views.api_docs, name="api-docs"),
    path("", include("egov.core.api_urls")),
    path("", include("egov.accounts.api_urls")),
    path("", include("egov.catalog.api_urls")),
    path("", include("egov.dossiers.api_urls")),
    path("", include("egov.exchange.api_urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("accounts/", include("egov.accounts.urls")),
    path("exchange/", include("egov.exchange.urls")),
    path("one-stop/", include("egov.dossiers.urls")),  # officials' workspace (một cửa)
    path("", include("egov.portal.urls")),
]
