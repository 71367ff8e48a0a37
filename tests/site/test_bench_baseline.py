"""The benchmarks' hello-world views exist only where EGOV_BENCH_BASELINE turns them on."""

from __future__ import annotations

import importlib
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import egov.urls
from egov.site import bench_baseline


# The 404 is the site's page, whose frame reads the instance's name and the reader's menu from
# the database (it passed on SQLite only where an earlier test had left them remembered).
@pytest.mark.django_db
def test_off_by_default_so_normal_installs_have_no_hello(client, settings):
    assert settings.EGOV_BENCH_BASELINE is False
    assert client.get(bench_baseline.PATH).status_code == 404
    assert client.get(bench_baseline.STACK_PATH).status_code == 404


def _call(application, path):
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.mark.django_db  # Django's request signals close old database connections
def test_the_bare_handler_answers_hello_without_middleware():
    def behind(environ, start_response):
        start_response("418 I'm a teapot", [])
        return [b"behind"]

    application = bench_baseline.wrap(behind)
    status, headers, body = _call(application, bench_baseline.PATH)
    assert status == "200 OK"
    assert json.loads(body) == {"hello": "world"}
    # No middleware ran: egov's stack would have added its security headers.
    assert "Content-Security-Policy" not in headers
    assert "X-Frame-Options" not in headers
    assert _call(application, "/")[0].startswith("418")
    assert _call(application, bench_baseline.STACK_PATH)[0].startswith("418")


@pytest.fixture
def urls_reloaded():
    yield
    clear_url_caches()
    importlib.reload(egov.urls)


def test_when_on_the_stack_variant_goes_through_egovs_middleware(client, urls_reloaded):
    with override_settings(EGOV_BENCH_BASELINE=True):
        importlib.reload(egov.urls)
        clear_url_caches()
        response = client.get(bench_baseline.STACK_PATH)
    assert response.status_code == 200
    assert response.json() == {"hello": "world"}
    assert "Content-Security-Policy" in response.headers
