"""API clients: create, give keys, rotate and revoke them, issue and check access tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import errors as jose_errors
from joserfc import jws
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from egov.accounts.models import AccessToken, ApiClient, ClientKey
from egov.accounts.scopes import SCOPES
from egov.accounts.services import refusals
from egov.core.services import audit

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
# A client assertion may live at most this long (RFC 7523 leaves it to the server).
MAX_ASSERTION_SECONDS = 300


class ClientAuthError(Exception):
    """Refused: ``code`` is the OAuth2 error, ``message`` what the caller is told; ``reason``,
    ``client`` and ``key`` what the audit summary says (``record_refusal``)."""

    def __init__(
        self, message: str, code: str = "invalid_client", *, reason="", client=None, key=None
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason
        self.client = client
        self.key = key


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _check_scopes(scopes) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}}
        )
    return sorted(set(scopes))


@transaction.atomic
def create_client(*, name, organisations, scopes, actor, include_subtree=False) -> ApiClient:
    client = ApiClient.objects.create(
        name=name,
        client_id="egov-" + secrets.token_hex(8),
        scopes=_check_scopes(scopes),
        include_subtree=include_subtree,
    )
    client.organisations.set(organisations)
    audit.record(
        actor=actor,
        action="accounts.client_created",
        obj=client,
        summary={"scopes": client.scopes, "organisations": sorted(o.pk for o in organisations)},
    )
    return client


@transaction.atomic
def update_client(client: ApiClient, *, actor, organisations=None, **changes) -> ApiClient:
    if "scopes" in changes:
        changes["scopes"] = _check_scopes(changes["scopes"])
    for name, value in changes.items():
        setattr(client, name, value)
    client.save()
    if organisations is not None:
        client.organisations.set(organisations)
    summary = {k: v for k, v in changes.items() if k != "name"}
    if organisations is not None:
        summary["organisations"] = sorted(o.pk for o in organisations)
    action = "accounts.client_changed"
    if changes.get("is_active") is False:
        action = "accounts.client_disabled"
    audit.record(actor=actor, action=action, obj=client, summary=summary)
    return client


def _new_kid() -> str:
    return "k-" + secrets.token_hex(8)


@transaction.atomic
def add_secret(client: ApiClient, *, actor, expires_at=None) -> tuple[ClientKey, str]:
    """A new client secret; the plain secret is returned once and never stored."""
    secret = secrets.token_urlsafe(32)
    key = ClientKey.objects.create(
        client=client,
        kid=_new_kid(),
        kind=ClientKey.Kind.SECRET,
        secret_hash=_hash(secret),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor, action="accounts.client_key_added", obj=key, summary={"kind": "secret"}
    )
    return key, secret


@transaction.atomic
def add_public_key(client: ApiClient, public_key_pem: str, *, actor, kid=None, expires_at=None):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        load_pem_public_key(public_key_pem.encode())
    except ValueError as exc:
        raise ValidationError({"public_key_pem": _("This is not a PEM public key.")}) from exc
    key = ClientKey.objects.create(
        client=client,
        kid=kid or _new_kid(),
        kind=ClientKey.Kind.PUBLIC_KEY,
        public_key_pem=public_key_pem.strip(),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor, action="accounts.client_key_added", obj=key, summary={"kind": "public_key"}
    )
    return key


@transaction.atomic
def revoke_key(key: ClientKey, *, actor) -> ClientKey:
    """Revoke a key and every token issued under it, at once."""
    now = timezone.now()
    if key.revoked_at is None:
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
    revoked = key.tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    audit.record(
        actor=actor, action="accounts.client_key_revoked", obj=key, summary={"tokens": revoked}
    )
    return key


@transaction.atomic
def rotate_secret(client: ApiClient, *, actor, grace: dt.timedelta = dt.timedelta(0)):
    """A new secret; the old ones stop working after ``grace`` (0: now, with their tokens)."""
    new_key, secret = add_secret(client, actor=actor)
    old = client.keys.filter(kind=ClientKey.Kind.SECRET, revoked_at__isnull=True).exclude(
        pk=new_key.pk
    )
    for key in old:
        if grace:
            key.expires_at = timezone.now() + grace
            key.save(update_fields=["expires_at"])
        else:
            revoke_key(key, actor=actor)
    return new_key, secret


# --- The token endpoint ---------------------------------------------------------------------


def _refuse(message, *, client=None, key=None, reason, code="invalid_client"):
    raise ClientAuthError(message, code, reason=reason, client=client, key=key)


def record_refusal(address: str, error: ClientAuthError) -> None:
    """Count a refusal of the token endpoint for ``address``, summarised in the audit log
    (``refusals.client_refused``: not a row per request). A malformed request, refused before
    any client was looked at (no ``reason``), is not recorded."""
    if error.reason:
        refusals.client_refused(address, error.reason, error.client, error.key)


def _usable(key: ClientKey, now) -> str | None:
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return None


def authenticate_secret(client_id: str, secret: str) -> tuple[ApiClient, ClientKey]:
    client = ApiClient.objects.filter(client_id=client_id).first()
    if client is None:
        _refuse(_("Unknown client or wrong secret."), reason="unknown client")
    now = timezone.now()
    wanted = _hash(secret or "")
    for key in client.keys.filter(kind=ClientKey.Kind.SECRET):
        if hmac.compare_digest(key.secret_hash, wanted):
            if problem := _usable(key, now):
                _refuse(
                    _("This client key has been revoked.")
                    if problem == "revoked"
                    else _("This client key has expired."),
                    client=client,
                    key=key,
                    reason=f"key {problem}",
                )
            break
    else:
        _refuse(_("Unknown client or wrong secret."), client=client, reason="wrong secret")
    if not client.is_active:
        _refuse(_("This client is disabled."), client=client, key=key, reason="client disabled")
    return client, key


def _public_key(pem: str):
    """The client's PEM public key as a JWK (RSA, EC or Ed25519)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    loaded = load_pem_public_key(pem.encode())
    key_type = (
        "RSA"
        if isinstance(loaded, rsa.RSAPublicKey)
        else "EC"
        if isinstance(loaded, ec.EllipticCurvePublicKey)
        else "OKP"
        if isinstance(loaded, ed25519.Ed25519PublicKey)
        else None
    )
    return JWKRegistry.import_key(pem, key_type)


def authenticate_assertion(assertion: str, audience: list[str]) -> tuple[ApiClient, ClientKey]:
    """RFC 7523 private_key_jwt: a JWT signed with the client's key (iss = sub = client_id)."""
    try:
        header = jws.extract_compact(assertion.encode()).headers()
    except (JoseError, ValueError):
        _refuse(_("The client assertion is not a JWT."), reason="malformed assertion")
    key = (
        ClientKey.objects.filter(kid=str(header.get("kid", "")), kind=ClientKey.Kind.PUBLIC_KEY)
        .select_related("client")
        .first()
    )
    if key is None:
        _refuse(_("The client assertion names an unknown key (kid)."), reason="unknown kid")
    client = key.client
    try:
        claims = jose_jwt.decode(assertion, _public_key(key.public_key_pem), ALGORITHMS).claims
        jose_jwt.JWTClaimsRegistry(
            leeway=30,
            iss={"essential": True, "value": client.client_id},
            sub={"essential": True, "value": client.client_id},
            aud={"essential": True, "values": audience},
            exp={"essential": True},
            jti={"essential": True},
        ).validate(claims)
    except jose_errors.ExpiredTokenError:
        _refuse(_("The client assertion has expired."), client=client, key=key, reason="expired")
    except jose_errors.InvalidClaimError as exc:
        if exc.claim == "aud":
            _refuse(
                _("The client assertion is for another audience."),
                client=client,
                key=key,
                reason="wrong audience",
            )
        _refuse(
            _("The client assertion is not valid: %(error)s") % {"error": exc},
            client=client,
            key=key,
            reason=f"invalid {exc.claim}",
        )
    except jose_errors.BadSignatureError:
        _refuse(
            _("The client assertion's signature is not valid."),
            client=client,
            key=key,
            reason="bad signature",
        )
    except (JoseError, ValueError) as exc:
        _refuse(
            _("The client assertion is not valid: %(error)s") % {"error": exc},
            client=client,
            key=key,
            reason="invalid assertion",
        )
    now = timezone.now()
    if claims["exp"] - now.timestamp() > MAX_ASSERTION_SECONDS:
        _refuse(
            _("The client assertion lives too long (5 minutes at most)."),
            client=client,
            key=key,
            reason="too long",
        )
    if problem := _usable(key, now):
        _refuse(
            _("This client key has been revoked.")
            if problem == "revoked"
            else _("This client key has expired."),
            client=client,
            key=key,
            reason=f"key {problem}",
        )
    if not client.is_active:
        _refuse(_("This client is disabled."), client=client, key=key, reason="client disabled")
    jti_key = f"egov:jti:{client.pk}:{claims['jti']}"
    if not cache.add(jti_key, 1, timeout=MAX_ASSERTION_SECONDS + 60):
        _refuse(
            _("This client assertion was already used."),
            client=client,
            key=key,
            reason="replayed jti",
        )
    return client, key


@dataclass
class IssuedToken:
    token: str
    expires_in: int
    scopes: list[str]


def issue_token(client: ApiClient, key: ClientKey, requested: str | None) -> IssuedToken:
    allowed = set(client.scopes)
    wanted = set(requested.split()) if requested else allowed
    if not wanted <= allowed:
        _refuse(
            _("This client may not have these scopes: %(scopes)s.")
            % {"scopes": " ".join(sorted(wanted - allowed))},
            client=client,
            key=key,
            reason="scope not granted",
            code="invalid_scope",
        )
    with transaction.atomic():
        return _issue(client, key, wanted)


def _issue(client, key, wanted) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    lifetime = settings.EGOV_API_TOKEN_SECONDS
    row = AccessToken.objects.create(
        token_hash=_hash(token),
        client=client,
        key=key,
        scopes=sorted(wanted),
        issued_at=now,
        expires_at=now + dt.timedelta(seconds=lifetime),
    )
    audit.record(
        actor=f"client:{client.pk}",
        action="accounts.token_issued",
        obj=row,
        summary={"kid": key.kid, "scopes": row.scopes},
    )
    return IssuedToken(token, lifetime, row.scopes)


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_token(token: str, address: str = "unknown") -> AccessToken:
    """The live access token for a bearer value, or TokenError saying why not. Refusals are
    counted per ``address`` and summarised in the audit log (``refusals.token_refused``), which
    raises TooManyRefusals past the address's limit."""
    row = (
        AccessToken.objects.select_related("client", "key")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    reason = None
    if row is None:
        reason, message = "unknown token", _("The access token is not valid.")
    elif row.revoked_at is not None or row.key.revoked_at is not None:
        reason, message = "revoked", _("The access token has been revoked.")
    elif row.expires_at <= timezone.now():
        reason, message = "expired", _("The access token has expired.")
    elif not row.client.is_active:
        reason, message = "client disabled", _("This client is disabled.")
    if reason:
        refusals.token_refused(address, reason, row)
        raise TokenError(message)
    return row
