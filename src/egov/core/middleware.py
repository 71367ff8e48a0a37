"""Request id: every request gets one, echoed in X-Request-ID and stored with audit rows."""

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("egov_request_id", default=None)
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    return _request_id.get()


def with_request_id(request, get_response):
    """``get_response(request)`` with the request's id set (the caller's X-Request-ID when it
    is one we can keep, else a new one) and echoed in the response."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
    request.request_id = request_id
    token = _request_id.set(request_id)
    try:
        response = get_response(request)
    finally:
        _request_id.reset(token)
    response["X-Request-ID"] = request_id
    return response


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return with_request_id(request, self.get_response)


# Django 5.2 has no Content-Security-Policy of its own (6.0 adds one). The templates keep every
# script and style in static files, so neither needs 'unsafe-inline'; data: images are the CSS's
# icons. No form-action: the citizen login's form redirects to the OpenID provider, another
# origin, which browsers would check against it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response, and ``Cache-Control: no-store`` on every one
    that says nothing about caching itself.

    No-store everywhere rather than page by page: most pages show personal data (a citizen's
    dossiers, the officials' workspace, dossier pages, lookup results, the exchange's pages, the
    API's answers) and a new one must not be forgotten; the public pages had no validators
    anyway, so browsers did not reuse them. Static files are served before this middleware
    (WhiteNoise) and stay cacheable; a view that may be cached sets its own Cache-Control.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return add_security_headers(self.get_response(request))


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response
