"""Checks on the provider's tokens: the ID token (login) and the logout token (back-channel).

Signature against the provider's JWKS, then iss, aud (and azp), exp and iat with a small leeway,
then nonce. joserfc does the JOSE work; ``clock`` is the one place "now" comes from.
"""

from __future__ import annotations

import hmac
import time

from django.conf import settings
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    DecodeError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jws import extract_compact

from . import provider
from .errors import OidcError

# Asymmetric algorithms only: never "none", never a MAC keyed with something the client knows.
ACCEPTED_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA", "Ed25519")
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_MAX_AGE = 120


def clock() -> int:
    return int(time.time())


def _header(token: str) -> dict:
    try:
        return extract_compact(token.encode("ascii")).headers()
    except (DecodeError, ValueError, UnicodeEncodeError) as exc:
        raise OidcError("malformed", detail=exc.__class__.__name__) from exc


def _verified_claims(token: str) -> dict:
    header = _header(token)
    alg = header.get("alg")
    allowed = [
        a
        for a in provider.metadata().get("id_token_signing_alg_values_supported", ["RS256"])
        if a in ACCEPTED_ALGORITHMS
    ] or ["RS256"]
    if alg not in allowed:
        raise OidcError("algorithm", detail=str(alg)[:20])
    key = provider.signing_key(header.get("kid"))
    try:
        decoded = jwt.decode(token, key, algorithms=allowed)
    except BadSignatureError as exc:
        raise OidcError("signature") from exc
    except UnsupportedAlgorithmError as exc:
        raise OidcError("algorithm") from exc
    except (DecodeError, JoseError, ValueError) as exc:
        raise OidcError("malformed", detail=exc.__class__.__name__) from exc
    return dict(decoded.claims)


def _check(registry: jwt.JWTClaimsRegistry, claims: dict) -> None:
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise OidcError("expired") from exc
    except MissingClaimError as exc:
        raise OidcError("missing_claim", detail=str(exc)) from exc
    except InvalidClaimError as exc:
        claim = getattr(exc, "claim", "") or str(exc)
        if "aud" in claim:
            raise OidcError("audience") from exc
        if "iss" in claim:
            raise OidcError("issuer") from exc
        if "iat" in claim or "nbf" in claim:
            raise OidcError("expired", detail="issued in the future") from exc
        raise OidcError("malformed", detail=claim[:40]) from exc


def validate_id_token(token: str, *, nonce: str) -> dict:
    """Return the claims of a valid ID token for this login request, or raise OidcError."""
    claims = _verified_claims(token)
    registry = jwt.JWTClaimsRegistry(
        now=lambda: clock(),
        leeway=settings.EGOV_OIDC_LEEWAY,
        iss={"essential": True, "value": settings.EGOV_OIDC_ISSUER},
        aud={"essential": True, "value": settings.EGOV_OIDC_CLIENT_ID},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    _check(registry, claims)
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != settings.EGOV_OIDC_CLIENT_ID:
        raise OidcError("audience", detail="azp")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(token_nonce, nonce):
        raise OidcError("nonce_mismatch")
    return claims


def validate_logout_token(token: str) -> dict:
    """Return the claims of a valid back-channel logout token, or raise OidcError."""
    try:
        claims = _verified_claims(token)
    except OidcError as exc:
        raise OidcError("logout_token", detail=exc.code) from exc
    registry = jwt.JWTClaimsRegistry(
        now=lambda: clock(),
        leeway=settings.EGOV_OIDC_LEEWAY,
        iss={"essential": True, "value": settings.EGOV_OIDC_ISSUER},
        aud={"essential": True, "value": settings.EGOV_OIDC_CLIENT_ID},
        iat={"essential": True},
        jti={"essential": True},
    )
    try:
        _check(registry, claims)
    except OidcError as exc:
        raise OidcError("logout_token", detail=exc.code) from exc
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise OidcError("logout_token", detail="events")
    if "nonce" in claims:
        raise OidcError("logout_token", detail="nonce")
    if not (claims.get("sub") or claims.get("sid")):
        raise OidcError("logout_token", detail="no sub or sid")
    if clock() - int(claims["iat"]) > LOGOUT_TOKEN_MAX_AGE + settings.EGOV_OIDC_LEEWAY:
        raise OidcError("logout_token", detail="too old")
    return claims
