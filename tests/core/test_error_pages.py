"""The site's error pages (egov.core.error_pages): 400, 403, 404, 405, 500 and the CSRF refusal
in the design system, in Vietnamese or English, with a next step and the request id, never the
failure's detail; the API's JSON body under /api/; the security headers on every one."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.core import error_pages

from .error_urls import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# (path, status, Vietnamese title, English title)
PAGES = [
    ("/test-errors/bad/", 400, "Yêu cầu không hợp lệ", "The request is not valid"),
    ("/test-errors/refuse/", 403, "Bạn không có quyền truy cập", "You may not do this"),
    ("/no-such-page/", 404, "Trang này không tồn tại", "This page does not exist"),
    ("/test-errors/post-only/", 405, "Không thể dùng trang này theo cách này", "This page cannot"),
    ("/test-errors/boom/", 500, "Đã xảy ra lỗi", "Something went wrong"),
]


def _client():
    # The 500 answered as in production rather than raised into the test.
    return Client(raise_request_exception=False)


def _design_page(response, status: int) -> str:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    # base.html's frame: the national header, the footer, the stylesheet.
    assert 'class="egov-header"' in html and "govuk-footer" in html and "egov.min.css" in html
    assert "Content-Security-Policy" in response.headers
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    # The request id a citizen quotes to support, as the header echoes it.
    assert f"<code>{response['X-Request-ID']}</code>" in html
    assert SECRET not in html and "Traceback" not in html
    return html


@pytest.mark.parametrize(("path", "status", "vi", "en"), PAGES)
def test_each_status_is_the_sites_page_in_both_languages(settings, path, status, vi, en):
    settings.DEBUG = False
    client = _client()
    vi_html = _design_page(client.get(path, **VI), status)
    assert f'<h1 class="govuk-heading-l">{vi}' in vi_html and f"Lỗi {status}" in vi_html
    assert '<html lang="vi"' in vi_html and "Về trang chủ" in vi_html
    en_html = _design_page(client.get(path, **EN), status)
    assert f'<h1 class="govuk-heading-l">{en}' in en_html and f"Error {status}" in en_html
    assert '<html lang="en"' in en_html and "Go to the home page" in en_html
    assert "Search the public services" in en_html


def test_the_405_keeps_its_allow_header():
    response = _client().get("/test-errors/post-only/", **VI)
    assert response.status_code == 405 and response["Allow"] == "POST"


def test_the_500_page_reads_no_database(settings, django_assert_num_queries):
    settings.DEBUG = False
    client = _client()
    with django_assert_num_queries(0):
        response = client.get("/test-errors/boom/", HTTP_X_REQUEST_ID="support-case-1234", **VI)
    html = _design_page(response, 500)
    assert "<code>support-case-1234</code>" in html


def test_the_500_page_falls_back_to_a_fixed_page(settings, monkeypatch):
    settings.DEBUG = False

    def broken(name):
        raise RuntimeError("the template is broken")

    monkeypatch.setattr(error_pages.loader, "get_template", broken)
    response = _client().get("/test-errors/boom/", HTTP_X_REQUEST_ID="support-case-5678", **EN)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html and "<code>support-case-5678</code>" in html
    assert SECRET not in html and "Content-Security-Policy" in response.headers


def test_a_refusal_says_why_and_offers_the_logins_to_the_anonymous(client):
    from django.contrib.auth import get_user_model

    html = _design_page(client.get("/test-errors/refuse/", **VI), 403)
    assert "Trang này dành cho cán bộ, công chức." in html
    assert "/oidc/login?next=/test-errors/refuse/" in html
    assert "/accounts/login/?next=/test-errors/refuse/" in html
    client.force_login(get_user_model().objects.create_user("errpages_someone"))
    html = _design_page(client.get("/test-errors/refuse/", **EN), 403)
    assert "This page is for officials." in html and "?next=" not in html


def test_a_404_shows_only_a_message_meant_for_people(client):
    html = _design_page(client.get("/test-errors/missing/", **VI), 404)
    assert "Cơ quan của bạn không có dự thảo nào mang mã này." in html
    _design_page(client.get("/test-errors/missing-quietly/", **VI), 404)  # SECRET not shown


def test_a_400_shows_only_a_message_meant_for_people(client):
    # InvalidRequest's message is written for the reader; a bare BadRequest's is not shown.
    html = _design_page(client.get("/test-errors/bad-said/", **VI), 400)
    assert "Hãy nêu lý do tính lại tháng đã chốt số liệu." in html
    html = _design_page(client.get("/test-errors/bad-said/", **EN), 400)
    assert "Say why the frozen month is recomputed." in html
    api = client.get("/api/v1/test-errors/bad-said/", **EN)
    assert api.status_code == 400
    assert api.json()["message"] == "Say why the frozen month is recomputed."


def test_a_form_without_its_csrf_token_gets_the_page():
    client = Client(enforce_csrf_checks=True)
    html = _design_page(client.post("/i18n/setlang/", {"language": "en"}, **VI), 403)
    assert "Biểu mẫu đã hết hạn" in html
    api = client.post("/api/v1/test-errors/refuse/", **EN)
    assert api.status_code == 403
    assert api.json() == {
        "code": "permission_denied",
        "message": "The request's CSRF check failed.",
        "fields": {},
    }


def test_the_api_keeps_its_json_errors(settings):
    settings.DEBUG = False
    client = _client()
    cases = [
        ("get", "/api/v1/no/such/route/", 404, "not_found", "Not found."),
        (
            "get",
            "/api/v1/test-errors/refuse/",
            403,
            "permission_denied",
            "This page is for officials.",
        ),
        (
            "get",
            "/api/v1/test-errors/post-only/",
            405,
            "method_not_allowed",
            'Method "GET" not allowed.',
        ),
        (
            "get",
            "/api/v1/test-errors/boom/",
            500,
            "error",
            "A server error occurred. It was recorded.",
        ),
    ]
    for method, path, status, code, message in cases:
        response = getattr(client, method)(path, **EN)
        assert response.status_code == status, path
        assert response.json() == {"code": code, "message": message, "fields": {}}, path
        assert "Content-Security-Policy" in response.headers and response["X-Request-ID"]
    # Vietnamese as the API's messages are.
    response = client.get("/api/v1/test-errors/boom/", **VI)
    assert response.json()["message"] == "Đã xảy ra lỗi máy chủ. Lỗi đã được ghi lại."
