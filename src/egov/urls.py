from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from egov.accounts import workspace
from egov.core import error_pages
from egov.core import views as core_views


def _app_routes():
    """Each app owns its routes and says where its pages go (its AppConfig's ``url_prefix``).

    API routes (an app's ``api_urls`` module) are mounted under /api/v1/; pages (its ``urls``
    module) under the prefix, in the order of INSTALLED_APPS, so the portal's catch-all ("")
    comes after the others.
    """
    api, pages = [], []
    for config in apps.get_app_configs():
        if not config.name.startswith("egov."):
            continue
        if find_spec(f"{config.name}.api_urls"):
            api.append(path("", include(f"{config.name}.api_urls")))
        prefix = getattr(config, "url_prefix", None)
        if prefix is not None:
            pages.append(path(prefix, include(f"{config.name}.urls")))
    return api, pages


api_routes, page_routes = _app_routes()
api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", core_views.api_docs, name="api-docs"),
    *api_routes,
]

# The site's error pages in the design system; the API's JSON body under /api/.
handler400 = error_pages.bad_request
handler403 = error_pages.permission_denied
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("units/communes/", core_views.communes, name="communes"),
    path("admin/", admin.site.urls),
    # The official's landing page; its panels come from the apps (egov.core.registry).
    path("workspace/", workspace.workspace, name="workspace"),
    path("api/v1/", include(api_v1)),
    *page_routes,
]

if settings.EGOV_BENCH_BASELINE:
    # Benchmarks only (egov.site.bench_baseline): the hello-world view through the whole stack.
    from egov.site import bench_baseline

    urlpatterns.append(path(bench_baseline.STACK_PATH.lstrip("/"), bench_baseline.hello))
