from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from egov.core import views as core_views

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", core_views.api_docs, name="api-docs"),
    path("", include("egov.core.api_urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
