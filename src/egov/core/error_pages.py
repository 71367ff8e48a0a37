"""The site's error pages: 400, 403, 404, 405, 500 and the CSRF refusal, in the design system.

One page for every app (``core/error.html`` on ``base.html``), in the request's language, with
a next step (the home page, the services' search, the logins for an anonymous 403) and the
request id, which a citizen quotes to support to find the request in the logs and the audit log.
Never a stack trace. Paths under /api/ keep the API's JSON error body
(``egov.core.api_base.ErrorSerializer``) for the errors raised outside DRF's views.

The 500 page is rendered without the context processors (the instance's name and the frame read
the database, which may be what failed) and falls back to a fixed page if even that fails.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import exceptions as api_exceptions

from egov.core.context_processors import instance_without_database
from egov.core.middleware import current_request_id

logger = logging.getLogger(__name__)

TEMPLATE = "core/error.html"


class PageNotFound(Http404):
    """A 404 whose message is written for the person reading the page (translated): the page
    shows it. A bare Http404's message is a developer's note ("No such dossier.") or Django's
    ("No Draft matches the given query."), which the page leaves out."""


class InvalidRequest(BadRequest):
    """A 400 whose message is written for the person reading the page (translated): the page
    shows it ("“abc” is not a period: a month (2026-11), a quarter (2026-Q4) or a year."). Django
    answers a bare ``BadRequest`` or a ``SuspiciousOperation`` with the same page, without their
    message. Django logs it as a warning with its traceback ("Bad Request: /path")."""


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _request_id(request) -> str:
    return getattr(request, "request_id", None) or current_request_id() or ""


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    # The body every API error has (egov.core.api_base.exception_handler).
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


def _anonymous(request) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _page(request, status: int, title: str, explanation: str, *, message: str = "", **extra):
    context = {
        "status": status,
        "title": title,
        "message": message,
        "explanation": explanation,
        "request_id": _request_id(request),
        **extra,
    }
    return render(request, TEMPLATE, context, status=status)


def bad_request(request, exception=None):
    message = str(exception) if isinstance(exception, InvalidRequest) else ""
    if _is_api(request):
        return _api_error("invalid", message or _("The request is not valid."), 400)
    return _page(
        request,
        400,
        _("The request is not valid"),
        _("The page could not understand what your browser sent. Go back and try again."),
        message=message,
    )


def permission_denied(request, exception=None):
    # The services' refusals say why ("This page is for officials."): shown, as the API does
    # (egov.core.api_base), in the language they were raised in.
    message = str(exception) if isinstance(exception, PermissionDenied) else ""
    if _is_api(request):
        message = message or str(api_exceptions.PermissionDenied.default_detail)
        return _api_error("permission_denied", message, 403)
    anonymous = _anonymous(request)
    explanation = (
        _("Log in to see this page: it may be open to you once you have.")
        if anonymous
        else _("Your account may not see this page or do this act.")
    )
    return _page(
        request,
        403,
        _("You may not do this"),
        explanation,
        message=message,
        login=anonymous,
        next_path=request.get_full_path(),
    )


def page_not_found(request, exception=None):
    if _is_api(request):
        return _api_error("not_found", str(api_exceptions.NotFound.default_detail), 404)
    return _page(
        request,
        404,
        _("This page does not exist"),
        _("Check the address, or find what you need from the links below."),
        message=str(exception) if isinstance(exception, PageNotFound) else "",
    )


def method_not_allowed(request, allowed: list[str]):
    """A view that takes only some methods (``require_POST``) answers an empty 405: the page
    (or the API's body) is filled in by ``ErrorPageMiddleware``."""
    if _is_api(request):
        message = str(api_exceptions.MethodNotAllowed(request.method).detail)
        response = _api_error("method_not_allowed", message, 405)
    else:
        response = _page(
            request,
            405,
            _("This page cannot be used this way"),
            _("Open the page from its link, or send its form from the page itself."),
        )
    response["Allow"] = ", ".join(allowed)
    return response


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form sent without its token (expired, sent from another site,
    cookies refused). The reason is for the logs (Django's csrf middleware logs it with the
    path), not for the page."""
    if _is_api(request):
        return _api_error("permission_denied", _("The request's CSRF check failed."), 403)
    return _page(
        request,
        403,
        _("The form has expired"),
        _(
            "Go back, reload the page and send the form again. Your browser must accept "
            "cookies from this site."
        ),
    )


def server_error(request):
    """Rendered without the context processors and any database read; a fixed page if even
    that fails (a broken template, a missing static files' manifest)."""
    request_id = _request_id(request)
    if _is_api(request):
        # DRF's own sentence has no Vietnamese.
        return _api_error("error", _("A server error occurred. It was recorded."), 500)
    title = _("Something went wrong")
    explanation = _("The error was recorded. Try again in a few minutes.")
    try:
        from django.middleware.csrf import get_token

        context = {
            "status": 500,
            "title": title,
            "explanation": explanation,
            "request_id": request_id,
            "request": request,
            # The language form in the header posts with it.
            "csrf_token": get_token(request),
            **instance_without_database(),
        }
        html = loader.get_template(TEMPLATE).render(context)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        logger.exception("The 500 page could not be rendered.")
        html = _FALLBACK.format(
            lang=escape(get_language() or settings.LANGUAGE_CODE),
            title=escape(title),
            explanation=escape(explanation),
            request_id=escape(request_id),
        )
    return HttpResponse(html, status=500)


_FALLBACK = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
    "</head><body><h1>{title}</h1><p>{explanation}</p><p><code>{request_id}</code></p>"
    "</body></html>"
)


class ErrorPageMiddleware:
    """Django has no handler405: ``require_POST`` and the like answer an empty
    ``HttpResponseNotAllowed``, which this fills with the site's page (or the API's body).
    Below the CSRF middleware, so that a token the page's header form asks for is set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            allowed = [m.strip() for m in response["Allow"].split(",") if m.strip()]
            return method_not_allowed(request, allowed)
        return response
