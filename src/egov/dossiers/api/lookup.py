"""The public dossier lookup: a dossier's status and dated history, given its code and the
applicant's ID number (or tax code); anonymous and rate limited per address.

Two ways in, one answer. ``LookupViewSet`` is the endpoint as the schema and every method but
a plain GET see it. ``LeanPathMiddleware`` answers the plain GETs, the public's and the bench's,
before the rest of the stack: the same body, status, headers and log lines (tests compare the
two), at a fraction of the CPU (bench/README.md, "The lookup scenario").
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from egov.accounts import ratelimit
from egov.accounts.scopes import ScopePermission
from egov.core import inputs
from egov.core.api_base import ErrorSerializer, exception_handler
from egov.core.middleware import add_security_headers, with_request_id
from egov.dossiers.services import lookup as lookup_service

from .serializers import LookupSerializer

LOOKUP_ANSWER = inline_serializer(
    "DossierLookup",
    {
        "code": serializers.CharField(),
        "status": serializers.IntegerField(),
        "status_label": serializers.CharField(),
        "due_at": serializers.DateTimeField(allow_null=True),
        "history": inline_serializer(
            "DossierLookupEvent",
            {
                "at": serializers.DateTimeField(),
                "status": serializers.IntegerField(),
                "status_label": serializers.CharField(),
            },
            many=True,
        ),
    },
)
# The lookup is the viewset's ``list`` action but answers one dossier: not an array.
extend_schema_serializer(many=False)(type(LOOKUP_ANSWER))


class LookupViewSet(viewsets.ViewSet):
    """Public lookup: the status and dated history of a dossier, given its code and the
    applicant's ID number (or tax code). Nothing else; rate limited per address."""

    permission_classes = [ScopePermission]
    required_scopes = {"list": None}
    authentication_classes: list = []
    # Its own per-address limit (EGOV_LOOKUP_RATE, 30/min by default) is stricter than DRF's
    # anonymous throttle (EGOV_ANON_RATE, 600/min), which would add a second counter: a list of
    # every request time of the window, read and rewritten in the cache on each lookup.
    throttle_classes: list = []

    @extend_schema(
        summary=gettext_lazy("Look up a dossier by its code and the applicant's ID number"),
        parameters=[
            OpenApiParameter("code", str, required=True),
            OpenApiParameter("id_number", str, required=True),
        ],
        responses={
            200: LOOKUP_ANSWER,
            404: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("No such code and ID number.")
            ),
        },
    )
    def list(self, request):
        serializer = LookupSerializer(data=request.query_params)
        valid = serializer.is_valid()
        query = serializer.validated_data if valid else {}
        # An invalid query counts too, and the rate limit answers first (429 before 400).
        try:
            found = lookup_service.public_lookup(
                ratelimit.client_ip(request), query.get("code", ""), query.get("id_number", "")
            )
        except lookup_service.RateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after) from exc
        if not valid:
            raise exceptions.ValidationError(serializer.errors)
        if found is None:
            raise exceptions.NotFound()
        return Response(found)


# --- the lean path -----------------------------------------------------------------------------

PATH = "/api/v1/dossier-lookup/"  # the router's ``dossier-lookup-list`` (a test keeps them equal)
# What the viewset's answers carry from DRF: its methods (``Allow``) and one media type.
ALLOW = "GET, HEAD, OPTIONS"
# Accept headers DRF answers with plain JSON (none is */*; an empty one is a 406 there).
PLAIN_ACCEPT = frozenset({"*/*", "application/json"})
# The stack's middleware whose work shows in a lookup's answer; the lean path does that work
# itself (request id, security headers, language, ALLOWED_HOSTS, Content-Length, X-Frame-Options).
# The others have nothing to do for an anonymous GET that reads no session and sets no cookie:
# WhiteNoise (static files), sessions, CSRF, authentication, the idle-session check, messages.
# InputMiddleware's check of the query string is done here too.
STANDS_IN_FOR = frozenset(
    {
        "egov.core.middleware.RequestIdMiddleware",
        "egov.core.middleware.SecurityHeadersMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "egov.core.inputs.InputMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    }
)
# The stack touches the session on every request (the idle check), so its answers vary on the
# cookie; they do anyway: the language may come from the language cookie.
VARY = "Accept-Language, Cookie"


class LeanPathMiddleware:
    """``GET /api/v1/dossier-lookup/`` without URL resolving, DRF's request and response, the
    serializer, and the middleware the answer does not need; every other request, and a lookup
    that is not plain (another method, an ``Accept`` or ``format`` choosing the rendering, a
    query string InputMiddleware refuses, a host outside ALLOWED_HOSTS, DEBUG's browsable API),
    goes on down the stack to ``LookupViewSet``, which answers it as before.

    Placed right after SecurityMiddleware (HTTPS redirect, HSTS, nosniff, referrer and opener
    policies), which thus still runs first. Same limit (counted before validating, 429 before
    400), same body and errors, same headers (tests compare both ways); logged by Django's
    handler as before. Running the stack's own middleware classes around the answer instead was
    the first version: a fifth of the path's CPU went to their layers.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.answer = convert_exception_to_response(_answer)  # a 500 gets the headers too
        self.enabled = (
            set(settings.MIDDLEWARE) >= STANDS_IN_FOR
            # DRF adds ``Vary: Accept`` and may render HTML when it has more than one renderer.
            and len(LookupViewSet.renderer_classes) == 1
            # What CommonMiddleware would do besides reading the host.
            and not settings.DISALLOWED_USER_AGENTS
            and not settings.PREPEND_WWW
        )

    def __call__(self, request):
        if (
            request.path_info != PATH
            or request.method != "GET"
            or not self.enabled
            or request.META.get("HTTP_ACCEPT", "*/*") not in PLAIN_ACCEPT
        ):
            return self.get_response(request)
        try:
            query = inputs.clean_querydict(request.GET)
            request.get_host()  # CommonMiddleware's check against ALLOWED_HOSTS
        except (inputs.BadText, DisallowedHost):
            return self.get_response(request)  # the stack's refusal, word for word
        if "format" in query:  # DRF's rendering choice
            return self.get_response(request)
        request.GET = query
        # LocaleMiddleware (egov has no language prefixes in its paths).
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = language = translation.get_language()
        response = with_request_id(request, self.answer)
        add_security_headers(response)
        headers = response.headers
        headers["Vary"] = VARY
        headers["Content-Language"] = language
        headers["Content-Length"] = str(len(response.content))
        headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS.upper()
        return response


def _field(query, name: str, max_length: int) -> str | None:
    """The field as LookupSerializer takes it (last value, whitespace trimmed), None where it
    would refuse it: missing, blank or too long (NUL and surrogates are refused before)."""
    value = query.get(name)
    if value is None:
        return None
    value = value.strip()
    return value if value and len(value) <= max_length else None


def _answer(request) -> HttpResponse:
    query = request.GET
    code, id_number = _field(query, "code", 40), _field(query, "id_number", 14)
    errors = None
    if code is None or id_number is None:
        serializer = LookupSerializer(data=query)  # its errors, word for word
        if serializer.is_valid():  # not expected: _field refuses only what it refuses
            code, id_number = (serializer.validated_data[k] for k in ("code", "id_number"))
        else:
            errors, code, id_number = serializer.errors, "", ""
    try:
        found = lookup_service.public_lookup(ratelimit.client_ip(request), code, id_number)
    except lookup_service.RateLimited as exc:
        return _error(exceptions.Throttled(wait=exc.retry_after))
    if errors is not None:
        return _error(exceptions.ValidationError(errors))
    if found is None:
        return _error(exceptions.NotFound())
    return _json(found, 200)


def _error(exc: exceptions.APIException) -> HttpResponse:
    answer = exception_handler(exc, {})  # the API's error body and headers
    response = _json(answer.data, answer.status_code)
    if "Retry-After" in answer:  # the only header of its own a lookup's error has (429)
        response["Retry-After"] = answer["Retry-After"]
    return response


def _json(data, status: int) -> HttpResponse:
    response = HttpResponse(JSONRenderer().render(data), "application/json", status)
    response["Allow"] = ALLOW
    return response
