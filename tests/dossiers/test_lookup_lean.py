"""The public lookup's lean path (egov.dossiers.api.lookup.LeanPathMiddleware): a plain GET is
answered before the rest of the stack, with the answer the viewset gives: status, body and every
header but the request id; everything else still reaches the viewset."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.response import Response

from egov.dossiers import services
from egov.dossiers.api import lookup as lookup_api

from .core_support import submit, world  # noqa: F401

pytestmark = pytest.mark.django_db

LEAN = "egov.dossiers.api.lookup.LeanPathMiddleware"


@pytest.fixture
def dossier(world):  # noqa: F811
    # Received and in processing: a history of three records.
    return services.start_processing(services.receive(submit(world), actor=None), actor=None)


def _answer(response) -> tuple:
    headers = {k: v for k, v in response.items() if k != "X-Request-ID"}
    return response.status_code, response.content, headers


def _viewset_client(settings) -> Client:
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != LEAN]
    return Client()


def _queries(dossier) -> list:
    code, id_number = dossier.code, dossier.applicant_id_number
    return [
        {"code": code, "id_number": id_number},
        {"code": f"  {code} ", "id_number": f"{id_number}\t"},  # trimmed, as the serializer does
        {"code": code, "id_number": "001099099999"},  # someone else's number: 404
        {"code": "000.00.01.H26-000101-9999", "id_number": id_number},
        {},
        {"code": code},
        {"id_number": id_number},
        {"code": " ", "id_number": id_number},
        {"code": "", "id_number": ""},
        {"code": "A" * 41, "id_number": "1" * 15},
        {"code": "A" * 40, "id_number": "1" * 14},
        {"code": "Hồ sơ", "id_number": "e\u0301"},  # NFD: normalised first, as the stack does
        {"code": [code, "other"], "id_number": id_number},  # the last value counts
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_answers_as_the_viewset_does(dossier, settings, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    lean = [
        _answer(Client().get("/api/v1/dossier-lookup/", q, **headers)) for q in _queries(dossier)
    ]
    viewset = _viewset_client(settings)
    expected = [
        _answer(viewset.get("/api/v1/dossier-lookup/", q, **headers)) for q in _queries(dossier)
    ]
    assert lean == expected
    assert [status for status, _body, _headers in lean] == [200, 200, 404, 404] + [400] * 6 + [
        404,
        404,
        404,
    ]
    body = Client().get("/api/v1/dossier-lookup/", _queries(dossier)[0], **headers).json()
    assert [event["status"] for event in body["history"]] == [1, 2, 4]


def test_throttled_answer_is_the_viewsets(dossier, settings):
    settings.EGOV_LOOKUP_RATE = "1/min"
    query = {"code": dossier.code, "id_number": dossier.applicant_id_number}
    lean = Client()
    assert lean.get("/api/v1/dossier-lookup/", query).status_code == 200
    limited = _answer(lean.get("/api/v1/dossier-lookup/", query))
    viewset = _viewset_client(settings)
    expected = _answer(viewset.get("/api/v1/dossier-lookup/", query))
    assert limited[0] == expected[0] == 429
    # The seconds left may differ by one between the two requests.
    assert limited[1].split(b" in ")[0] == expected[1].split(b" in ")[0]
    assert {k: v for k, v in limited[2].items() if k not in {"Retry-After", "Content-Length"}} == {
        k: v for k, v in expected[2].items() if k not in {"Retry-After", "Content-Length"}
    }
    assert abs(int(limited[2]["Retry-After"]) - int(expected[2]["Retry-After"])) <= 1


def test_plain_gets_skip_the_viewset_and_the_rest_go_to_it(dossier, monkeypatch):
    calls = []
    original = lookup_api.LookupViewSet.list

    def counted(self, request):
        calls.append(request.method)
        return original(self, request)

    monkeypatch.setattr(lookup_api.LookupViewSet, "list", counted)
    query = {"code": dossier.code, "id_number": dossier.applicant_id_number}
    c = Client()
    assert c.get("/api/v1/dossier-lookup/", query).status_code == 200  # no Accept: */*
    for accept in ("*/*", "application/json"):
        assert c.get("/api/v1/dossier-lookup/", query, HTTP_ACCEPT=accept).status_code == 200
    assert c.get("/api/v1/dossier-lookup/", {}).status_code == 400
    assert calls == []
    # Another method, a rendering choice: the viewset answers, as before.
    assert c.head("/api/v1/dossier-lookup/", query).status_code == 200
    assert c.get("/api/v1/dossier-lookup/", query, HTTP_ACCEPT="text/html").status_code == 406
    assert c.get("/api/v1/dossier-lookup/", query, HTTP_ACCEPT="").status_code == 406
    html_too = "text/html,application/json;q=0.9"
    assert c.get("/api/v1/dossier-lookup/", query, HTTP_ACCEPT=html_too).status_code == 200
    assert c.get("/api/v1/dossier-lookup/", {**query, "format": "json"}).status_code == 200
    assert c.post("/api/v1/dossier-lookup/", query).status_code == 403  # no scope for it
    assert calls == ["HEAD", "GET", "GET"]  # the 406s are answered before the action
    # A query string the stack refuses: InputMiddleware's answer, not counted.
    refused = c.get("/api/v1/dossier-lookup/", {"code": "a\x00", "id_number": "1"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_text"


def test_path_is_the_routers_and_has_no_language_prefix(settings):
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    assert reverse("dossier-lookup-list") == lookup_api.PATH
    # The lean path takes the language as LocaleMiddleware does without prefixed paths.
    assert is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (False, False)


def test_stands_aside_when_the_stack_differs(dossier, settings, monkeypatch):
    calls = []
    monkeypatch.setattr(
        lookup_api.LookupViewSet, "list", lambda self, request: calls.append(1) or Response({})
    )
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if not m.endswith("XFrameOptionsMiddleware")
    ]
    query = {"code": dossier.code, "id_number": dossier.applicant_id_number}
    assert Client().get("/api/v1/dossier-lookup/", query).json() == {}
    assert calls == [1]


def test_keeps_the_security_headers_and_host_check(dossier, settings):
    query = {"code": dossier.code, "id_number": dossier.applicant_id_number}
    r = Client().get("/api/v1/dossier-lookup/", query)
    assert r["Content-Security-Policy"].startswith("default-src 'self'")
    assert r["Cache-Control"] == "no-store"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert len(r["X-Request-ID"]) == 32
    # Hosts outside ALLOWED_HOSTS are refused (CommonMiddleware reads the host) before counting.
    settings.EGOV_LOOKUP_RATE = "2/min"
    c = Client()
    assert c.get("/api/v1/dossier-lookup/", query, HTTP_HOST="evil.example").status_code == 400
    assert [c.get("/api/v1/dossier-lookup/", query).status_code for _ in range(2)] == [200, 429]
    # The caller's request id is kept, as RequestIdMiddleware keeps it.
    echoed = c.get("/api/v1/dossier-lookup/", query, HTTP_X_REQUEST_ID="abc-123-def")
    assert echoed["X-Request-ID"] == "abc-123-def"


def test_one_query_per_lookup(dossier, django_assert_num_queries):
    path = "/api/v1/dossier-lookup/?" + urlencode(
        {"code": dossier.code, "id_number": dossier.applicant_id_number}
    )
    c = Client()
    # The dossier joined to its history; the limit's counter is in the cache (local memory in
    # the tests; Redis or the database cache in production).
    with django_assert_num_queries(1):
        assert c.get(path).status_code == 200
    with django_assert_num_queries(0):  # a malformed query is counted, never looked up
        assert c.get("/api/v1/dossier-lookup/", {"code": dossier.code}).status_code == 400


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_statement_is_prepared_once_per_connection(dossier):
    query = {"code": dossier.code, "id_number": dossier.applicant_id_number}
    c = Client()
    for _ in range(3):
        assert c.get("/api/v1/dossier-lookup/", query).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_prepared_statements where statement like %s",
            ["%dossiers_dossier%"],
        )
        assert cursor.fetchone()[0] == 1
