"""The provider as seen from egov: its discovery document and its signing keys (JWKS).

Both are fetched over HTTP and cached in the process (derived data: every process may refetch).
The key set is fetched again when a token names a key id it does not hold (key rotation), at most
once every few seconds so that tokens with made-up key ids cannot make us hammer the provider.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from joserfc.jwk import KeySet

from .errors import OidcError

MIN_REFRESH_SECONDS = 5.0
_lock = threading.Lock()
_metadata: dict[str, dict] = {}


@dataclass
class _CachedKeys:
    keys: KeySet
    fetched_at: float
    kids: set[str] = field(default_factory=set)


_keys: dict[str, _CachedKeys] = {}


def _get_json(url: str) -> dict:
    try:
        response = httpx.get(url, timeout=settings.EGOV_OIDC_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError("provider_unreachable", detail=exc.__class__.__name__) from exc
    if not isinstance(data, dict):
        raise OidcError("provider_unreachable", detail="not a JSON object")
    return data


def metadata() -> dict:
    """The provider's discovery document (cached); its issuer must be the configured one."""
    issuer = settings.EGOV_OIDC_ISSUER
    if settings.EGOV_OIDC_PROVIDER == "off" or not issuer:
        raise OidcError("not_configured")
    cached = _metadata.get(issuer)
    if cached is not None:
        return cached
    data = _get_json(f"{issuer}/.well-known/openid-configuration")
    if data.get("issuer") != issuer:
        raise OidcError("issuer", detail="discovery issuer differs")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(name), str):
            raise OidcError("provider_unreachable", detail=f"discovery lacks {name}")
    with _lock:
        _metadata[issuer] = data
    return data


def _fetch_keys(jwks_uri: str) -> _CachedKeys:
    data = _get_json(jwks_uri)
    try:
        keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any malformed key set
        raise OidcError("provider_unreachable", detail="bad JWKS") from exc
    kids = {key.kid for key in keys.keys if key.kid}
    cached = _CachedKeys(keys=keys, fetched_at=time.monotonic(), kids=kids)
    with _lock:
        _keys[jwks_uri] = cached
    return cached


def signing_key(kid: str | None):
    """The provider's key with this id; refetch the JWKS once if the id is unknown."""
    jwks_uri = metadata()["jwks_uri"]
    cached = _keys.get(jwks_uri)
    now = time.monotonic()
    if (
        cached is None
        or now - cached.fetched_at > settings.EGOV_OIDC_JWKS_TTL
        or kid
        and kid not in cached.kids
        and now - cached.fetched_at > MIN_REFRESH_SECONDS
    ):
        cached = _fetch_keys(jwks_uri)
    if kid:
        if kid not in cached.kids:
            raise OidcError("signature", detail="unknown key id")
        return cached.keys.get_by_kid(kid)
    if len(cached.keys.keys) != 1:
        raise OidcError("signature", detail="token names no key id")
    return cached.keys.keys[0]


def clear_cache() -> None:
    with _lock:
        _metadata.clear()
        _keys.clear()


def seed_keys(jwks_uri: str, keys: KeySet, fetched_at: float) -> None:
    """Put a key set in the cache (tests: simulate a cache made before a key rotation)."""
    with _lock:
        _keys[jwks_uri] = _CachedKeys(
            keys=keys, fetched_at=fetched_at, kids={k.kid for k in keys.keys if k.kid}
        )
