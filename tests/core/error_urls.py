"""The site's URLs and views that fail on purpose, for tests/core/test_error_pages.py."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.core.error_pages import InvalidRequest, PageNotFound
from egov.urls import handler400, handler403, handler404, handler500
from egov.urls import urlpatterns as site

SECRET = "secret detail of the failure"


def boom(request):
    raise RuntimeError(SECRET)


def bad(request):
    raise BadRequest(SECRET)


def bad_said(request):
    raise InvalidRequest(_("Say why the frozen month is recomputed."))


def refuse(request):
    raise PermissionDenied(_("This page is for officials."))


def missing(request):
    raise PageNotFound(_("No draft of your organisation has this code."))


def missing_quietly(request):
    from django.http import Http404

    raise Http404(SECRET)


@require_POST
def post_only(request):
    raise AssertionError("not reached")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/bad/", bad),
    path("test-errors/bad-said/", bad_said),
    path("test-errors/refuse/", refuse),
    path("test-errors/missing/", missing),
    path("test-errors/missing-quietly/", missing_quietly),
    path("test-errors/post-only/", post_only),
    path("api/v1/test-errors/boom/", boom),
    path("api/v1/test-errors/refuse/", refuse),
    path("api/v1/test-errors/bad-said/", bad_said),
    path("api/v1/test-errors/post-only/", post_only),
    *site,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
