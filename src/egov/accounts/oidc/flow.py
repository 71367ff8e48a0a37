"""The relying party's side of the authorization code flow with PKCE (S256), state and nonce.

State, nonce and PKCE verifier are made here and kept in the server-side session, keyed by state,
and each is used once: the callback pops its entry before doing anything else.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from django.conf import settings

from . import provider
from .errors import OidcError
from .tokens import validate_id_token

SESSION_PENDING = "oidc_pending"
PENDING_MAX_AGE = 600  # seconds a login may take at the provider
PENDING_MAX = 5  # logins started in parallel tabs


def level_of(acr: str | None) -> int:
    """Assurance level (1, 2, ...) of an acr value; 0 when the provider asserted none we know."""
    try:
        return settings.EGOV_OIDC_ACR_VALUES.index(acr) + 1
    except ValueError:
        return 0


def acr_for(level: int) -> str:
    return settings.EGOV_OIDC_ACR_VALUES[level - 1]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin_login(request, *, redirect_uri: str, next_url: str, level: int = 1) -> str:
    """Remember a new login request in the session; return the provider's authorization URL."""
    meta = provider.metadata()
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    now = time.time()
    pending = {
        s: p
        for s, p in request.session.get(SESSION_PENDING, {}).items()
        if now - p.get("at", 0) < PENDING_MAX_AGE
    }
    while len(pending) >= PENDING_MAX:
        pending.pop(min(pending, key=lambda s: pending[s]["at"]))
    pending[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "level": level,
        "next": next_url,
        "redirect_uri": redirect_uri,
        "at": now,
    }
    request.session[SESSION_PENDING] = pending
    params = {
        "response_type": "code",
        "client_id": settings.EGOV_OIDC_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": settings.EGOV_OIDC_SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    if level >= 2:
        # Step-up: ask for the higher level and a fresh authentication at the provider.
        params["acr_values"] = acr_for(level)
        params["prompt"] = "login"
    return f"{meta['authorization_endpoint']}?{urlencode(params)}"


def take_pending(request, state: str | None) -> dict:
    """Pop the login request this state belongs to (single use)."""
    if not state:
        raise OidcError("state_missing")
    pending = request.session.get(SESSION_PENDING, {})
    entry = pending.pop(state, None)
    request.session[SESSION_PENDING] = pending
    if entry is None:
        raise OidcError("state_unknown")
    if time.time() - entry.get("at", 0) > PENDING_MAX_AGE:
        raise OidcError("expired_request")
    return entry


def exchange_code(code: str, *, verifier: str | None, redirect_uri: str) -> dict:
    """POST the code (and PKCE verifier) to the token endpoint; return its JSON answer."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        data["code_verifier"] = verifier
    try:
        response = httpx.post(
            provider.metadata()["token_endpoint"],
            data=data,
            auth=(settings.EGOV_OIDC_CLIENT_ID, settings.EGOV_OIDC_CLIENT_SECRET),
            timeout=settings.EGOV_OIDC_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise OidcError("provider_unreachable", detail=exc.__class__.__name__) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or "id_token" not in body:
        error = str(body.get("error", response.status_code))[:60]
        raise OidcError("token_exchange" if verifier else "pkce_verifier_missing", detail=error)
    return body


def fetch_userinfo(access_token: str) -> dict:
    endpoint = provider.metadata().get("userinfo_endpoint")
    if not endpoint:
        return {}
    try:
        response = httpx.get(
            endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.EGOV_OIDC_TIMEOUT,
        )
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError("userinfo", detail=exc.__class__.__name__) from exc
    if not isinstance(data, dict):
        raise OidcError("userinfo", detail="not an object")
    return data


@dataclass
class VerifiedLogin:
    """What a successful callback yields: checked claims, nothing else of the tokens."""

    subject: str
    level: int
    sid: str
    claims: dict  # userinfo claims merged over the ID token's (subject checked equal)
    id_token: str  # kept only in a signed cookie, as the id_token_hint for RP-initiated logout
    next_url: str
    requested_level: int
    nonce: str


def complete_login(request, params) -> VerifiedLogin:
    """Check a callback from the provider end to end; raise OidcError with the reason."""
    entry = take_pending(request, params.get("state"))
    error = params.get("error")
    if error:
        raise OidcError(
            "access_denied" if error == "access_denied" else "provider_error", detail=error
        )
    # Mix-up defence (RFC 9207): the response names its issuer; a provider that says it always
    # does may not be answered by a response without one (an attacker's, from another provider).
    iss = params.get("iss")
    if not iss:
        if provider.metadata().get("authorization_response_iss_parameter_supported") is True:
            raise OidcError("issuer_missing", detail="authorization response without iss")
    elif iss != settings.EGOV_OIDC_ISSUER:
        raise OidcError("issuer", detail="authorization response iss")
    code = params.get("code")
    if not code:
        raise OidcError("provider_error", detail="no code")
    tokens = exchange_code(code, verifier=entry.get("verifier"), redirect_uri=entry["redirect_uri"])
    id_claims = validate_id_token(tokens["id_token"], nonce=entry["nonce"])
    profile = fetch_userinfo(tokens["access_token"]) if tokens.get("access_token") else {}
    if profile and profile.get("sub") != id_claims["sub"]:
        raise OidcError("userinfo", detail="sub differs")
    level = level_of(id_claims.get("acr")) or 1  # no known acr: the baseline level
    if level < entry.get("level", 1):
        raise OidcError("acr_insufficient", detail=f"level {level}")
    return VerifiedLogin(
        subject=id_claims["sub"],
        level=level,
        sid=str(id_claims.get("sid", ""))[:255],
        claims={**id_claims, **profile},
        id_token=tokens["id_token"],
        next_url=entry.get("next") or "/",
        requested_level=entry.get("level", 1),
        nonce=entry["nonce"],
    )
