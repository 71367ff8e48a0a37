"""The benchmarks' baseline: a hello-world JSON view, served only when EGOV_BENCH_BASELINE is on.

``egov bench`` turns the setting on for the servers it starts (and only there; it is off by
default, in production too). Every scenario's figures are then compared with what this process
answers for the least a Django view can do:

- ``/bench/hello/``: the view through Django's own request handling (URL resolving, request and
  response objects, the request signals) with no middleware: the framework and gunicorn alone,
  in the same process, with the same settings, as the scenario's endpoints;
- ``/bench/hello/stack/``: the same view through egov's whole middleware stack (egov/urls.py),
  which tells how much of a scenario's cost is the stack rather than its own work.
"""

from __future__ import annotations

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import JsonResponse
from django.urls import path

PATH = "/bench/hello/"
STACK_PATH = "/bench/hello/stack/"


def hello(request):
    return JsonResponse({"hello": "world"})


# The URLconf of the bare handler below: this one view, nothing else.
urlpatterns = [path(PATH.lstrip("/"), hello)]


class BareHandler(WSGIHandler):
    """Django's WSGI handler without any middleware, resolving against this module only."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)

    def get_response(self, request):
        request.urlconf = __name__
        return super().get_response(request)


def wrap(application):
    """``application`` with ``/bench/hello/`` answered by the bare handler in front of it."""
    bare = BareHandler()

    def dispatch(environ, start_response):
        if environ.get("PATH_INFO") == PATH:
            return bare(environ, start_response)
        return application(environ, start_response)

    return dispatch
