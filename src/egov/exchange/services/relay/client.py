"""The parent hub, seen from a provincial hub: whether there is one (``EGOV_EXCHANGE_ROLE``),
which organisations are behind it, and how to talk to it over HTTP (this hub's bearer token by
client credentials or an RFC 7523 key, the relay header, the parent's refusals).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import JWKRegistry

from egov.core.models import Organisation
from egov.exchange.services.hub import checks

PACKAGES = "/api/v1/exchange/packages/"
STATUSES = "/api/v1/exchange/statuses/"
MAILBOX = "/api/v1/exchange/mailbox/"
OAUTH = "/api/v1/oauth/token"


class RelayError(RuntimeError):
    """The parent hub could not be reached or refused this hub's credentials."""


def is_provincial() -> bool:
    return settings.EGOV_EXCHANGE_ROLE == "provincial"


def relays(org: Organisation, hub: Organisation) -> bool:
    """Does a package for ``org`` leave this hub for the parent?"""
    return is_provincial() and not org.path.startswith(hub.path)


def parent_url(path: str) -> str:
    return settings.EGOV_EXCHANGE_PARENT_URL + path


_tokens: dict[tuple[str, str], tuple[str, float]] = {}


def forget_token() -> None:
    _tokens.clear()


def _assertion(audience: str) -> str:
    """RFC 7523: a JWT signed with this hub's key, for the parent's token endpoint."""
    pem = Path(settings.EGOV_EXCHANGE_PARENT_KEY_FILE).read_bytes()
    loaded = load_pem_private_key(pem, password=None)
    if isinstance(loaded, rsa.RSAPrivateKey):
        key_type, alg = "RSA", "RS256"
    elif isinstance(loaded, ec.EllipticCurvePrivateKey):
        key_type, alg = "EC", "ES256"
    elif isinstance(loaded, ed25519.Ed25519PrivateKey):
        key_type, alg = "OKP", "EdDSA"
    else:
        raise RelayError("EGOV_EXCHANGE_PARENT_KEY_FILE: RSA, EC P-256 or Ed25519 key expected")
    client_id = settings.EGOV_EXCHANGE_PARENT_CLIENT_ID
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    header = {"alg": alg, "kid": settings.EGOV_EXCHANGE_PARENT_KEY_ID}
    return jwt.encode(header, claims, JWKRegistry.import_key(pem, key_type))


def token(http: httpx.Client, *, fresh: bool = False) -> str:
    """This hub's access token at the parent (client credentials), kept until shortly before it
    expires."""
    url = parent_url(OAUTH)
    cache_key = (url, settings.EGOV_EXCHANGE_PARENT_CLIENT_ID)
    cached = _tokens.get(cache_key)
    if cached and not fresh and cached[1] > time.monotonic():
        return cached[0]
    form = {"grant_type": "client_credentials"}
    if settings.EGOV_EXCHANGE_PARENT_KEY_FILE:
        form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        form["client_assertion"] = _assertion(url)
    else:
        form["client_id"] = settings.EGOV_EXCHANGE_PARENT_CLIENT_ID
        form["client_secret"] = settings.EGOV_EXCHANGE_PARENT_CLIENT_SECRET
    try:
        response = http.post(url, data=form)
    except httpx.HTTPError as exc:
        raise RelayError(f"token: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise RelayError(f"token: HTTP {response.status_code} {response.text[:200]}")
    body = response.json()
    expires = time.monotonic() + max(int(body.get("expires_in", 60)) - 30, 1)
    _tokens[cache_key] = (body["access_token"], expires)
    return body["access_token"]


def headers(http: httpx.Client) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token(http)}",
        "X-Egov-Relay": checks.hub_organisation().code,
    }


def is_permanent(status_code: int) -> bool:
    """A refusal that a retry will not change."""
    return 400 <= status_code < 500 and status_code not in {401, 408, 425, 429}


def describe(response: httpx.Response) -> str:
    """The parent's refusal in one line: HTTP status, its code and message."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and body.get("code"):
        return f"HTTP {response.status_code} {body['code']}: {body.get('message', '')}"
    return f"HTTP {response.status_code} {str(body)[:200]}"


def call(http: httpx.Client, method: str, url: str, body: dict | None = None) -> httpx.Response:
    """One call to the parent with this hub's token (a fresh one once on 401)."""
    for attempt in (0, 1):
        auth = {"Authorization": f"Bearer {token(http, fresh=attempt == 1)}"}
        try:
            response = http.request(method, url, headers=auth, json=body)
        except httpx.HTTPError as exc:
            raise RelayError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 401:
            break
    if not 200 <= response.status_code < 300:
        raise RelayError(f"{method} {url}: {describe(response)}")
    return response
