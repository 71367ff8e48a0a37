"""Citizen login pages: thin; the flow is in ``flow``, the changes in services.citizens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts import ratelimit
from egov.accounts.services import citizens as citizen_services

from . import flow, provider, tokens
from .decorators import require_assurance
from .errors import OidcError

# The ID token is the id_token_hint of RP-initiated logout. It is kept in a signed, HttpOnly
# cookie of the browser that received it, never in the database.
HINT_COOKIE = "egov_oidc_hint"
HINT_SALT = "egov.accounts.oidc.hint"


def _safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("citizen-home")


STATUS = {"provider_unreachable": 503, "not_configured": 503, "rate_limited": 429}


def _refused(request, error: OidcError, *, action="accounts.citizen_login_failed"):
    citizen_services.record_failure(request, error, action=action)
    return render(
        request,
        "accounts/oidc/error.html",
        {"message": error.message, "code": error.code},
        status=STATUS.get(error.code, 400),
    )


def _rate_limit(request) -> None:
    """Login starts and callbacks count against the per-address login rate (EGOV_LOGIN_RATE)."""
    allowed, _wait = ratelimit.hit(
        f"citizen-login:{ratelimit.client_ip(request)}", settings.EGOV_LOGIN_RATE
    )
    if not allowed:
        raise OidcError("rate_limited")


@never_cache
@require_GET
def login(request):
    """Start a login (or a step-up with ``level=2``) at the provider."""
    try:
        level = max(1, min(int(request.GET.get("level", "1")), len(settings.EGOV_OIDC_ACR_VALUES)))
    except ValueError:
        level = 1
    try:
        _rate_limit(request)
        url = flow.begin_login(
            request,
            redirect_uri=request.build_absolute_uri(reverse("oidc-callback")),
            next_url=_safe_next(request, request.GET.get("next")),
            level=level,
        )
    except OidcError as error:
        return _refused(request, error)
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def callback(request):
    """The provider sends the browser back here with a code (or an error) and the state."""
    try:
        _rate_limit(request)
        verified = flow.complete_login(request, request.GET)
        citizen_services.login_citizen(request, verified)
    except OidcError as error:
        return _refused(request, error)
    response = redirect(_safe_next(request, verified.next_url))
    response.set_signed_cookie(
        HINT_COOKIE,
        verified.id_token,
        salt=HINT_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
        path=reverse("oidc-logout"),
    )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request):
    """GET: a page with the logout button. POST: end the session here, then at the provider."""
    if request.method == "GET":
        return render(request, "accounts/oidc/logout.html")
    hint = request.get_signed_cookie(HINT_COOKIE, default=None, salt=HINT_SALT)
    citizen = citizen_services.logout_citizen(request)
    target = reverse("oidc-logged-out")
    if citizen is not None:
        try:
            end_session = provider.metadata().get("end_session_endpoint")
        except OidcError:
            end_session = None
        if end_session:
            params = {
                "client_id": settings.EGOV_OIDC_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(target),
            }
            if hint:
                params["id_token_hint"] = hint
            target = f"{end_session}?{urlencode(params)}"
    response = HttpResponseRedirect(target)
    response.delete_cookie(HINT_COOKIE, path=reverse("oidc-logout"))
    return response


@require_GET
def logged_out(request):
    return render(request, "accounts/oidc/logged_out.html")


@csrf_exempt
@never_cache
@require_POST
def backchannel_logout(request):
    """OpenID Connect Back-Channel Logout: the provider POSTs a signed logout token."""
    token = request.POST.get("logout_token", "")
    try:
        if not token:
            raise OidcError("logout_token", detail="missing")
        claims = tokens.validate_logout_token(token)
        citizen_services.backchannel_logout(claims)
    except OidcError as error:
        citizen_services.record_failure(None, error, action="accounts.citizen_logout_refused")
        return JsonResponse(
            {"error": "invalid_request", "error_description": error.message}, status=400
        )
    return JsonResponse({}, status=200)


@never_cache
@require_assurance(1)
def citizen_home(request):
    citizen = citizen_services.current_citizen(request)
    return render(
        request,
        "accounts/oidc/citizen_home.html",
        {"citizen": citizen, "level": citizen_services.session_level(request)},
    )


@never_cache
@require_assurance(2)
@require_http_methods(["GET", "POST"])
def citizen_profile(request):
    """The citizen's own data and the businesses they act for: needs assurance level 2."""
    citizen = citizen_services.current_citizen(request)
    if request.method == "POST":
        try:
            citizen_services.act_for_business(request, request.POST.get("tax_code", "").strip())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("citizen-profile")
    return render(
        request,
        "accounts/oidc/citizen_profile.html",
        {
            "citizen": citizen,
            "level": citizen_services.session_level(request),
            "representations": citizen.business_representations.filter(revoked_at__isnull=True),
            "acting_for": citizen_services.acting_for(request),
        },
    )
