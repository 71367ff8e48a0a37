"""API clients: OAuth2 client credentials, JWT assertions, scopes, organisations, rotation."""

import base64
import datetime as dt
import time
import uuid
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from egov.accounts.models import AccessToken, ApiClient, ClientKey
from egov.accounts.services import clients as svc
from egov.core.models import AuditEntry

from .officials_support import make_official, tree  # noqa: F401

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/oauth/token"
AUDIENCE = "http://testserver/api/v1/oauth/token"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def api_client(tree):  # noqa: F811
    client = svc.create_client(
        name="Hệ thống một cửa tỉnh P",
        organisations=[tree.p],
        scopes=["accounts.read", "dossiers.read"],
        include_subtree=True,
        actor="test",
    )
    key, secret = svc.add_secret(client, actor="test")
    return client, key, secret


def post_form(client, data, **headers):
    """OAuth2 requests are application/x-www-form-urlencoded."""
    body = urlencode(data)
    return client.post(TOKEN_URL, body, content_type=FORM, **headers)


def get_token(client, client_id, secret, **extra):
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return post_form(client, {**data, **extra}, HTTP_ACCEPT_LANGUAGE="en")


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def refusals():
    return [
        e.summary.get("reason")
        for e in AuditEntry.objects.filter(
            action__in=["accounts.client_auth_refused", "accounts.token_refused"]
        ).order_by("seq")
    ]


def test_client_credentials_with_secret_in_form_or_basic(client, api_client, tree):  # noqa: F811
    c, key, secret = api_client
    response = get_token(client, c.client_id, secret)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "accounts.read dossiers.read"
    assert response["Cache-Control"] == "no-store"
    basic = base64.b64encode(f"{c.client_id}:{secret}".encode()).decode()
    response = post_form(
        client,
        {"grant_type": "client_credentials", "scope": "dossiers.read"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.json()["scope"] == "dossiers.read"
    # Only the hash is stored.
    assert not AccessToken.objects.filter(token_hash=body["access_token"]).exists()
    me = client.get("/api/v1/me/", **bearer(body["access_token"])).json()
    assert me == {
        "kind": "client",
        "id": c.client_id,
        "scopes": ["accounts.read", "dossiers.read"],
        "organisations": [tree.p.pk],
    }
    assert (
        AuditEntry.objects.filter(action="accounts.token_issued", actor=f"client:{c.pk}").count()
        == 2
    )


def test_client_acts_only_for_its_organisations_and_scopes(client, api_client, tree):  # noqa: F811
    c, key, secret = api_client
    make_official("in_a", tree.a)
    make_official("in_q", tree.q)
    token = get_token(client, c.client_id, secret).json()["access_token"]
    listed = client.get("/api/v1/officials/", **bearer(token)).json()
    assert [o["username"] for o in listed["results"]] == ["in_a"]
    q_official = client.get("/api/v1/officials/", **bearer(token)).json()
    assert q_official["count"] == 1
    from egov.accounts.models import Official

    other = Official.objects.get(user__username="in_q")
    assert client.get(f"/api/v1/officials/{other.pk}/", **bearer(token)).status_code == 404
    narrow = get_token(client, c.client_id, secret, scope="dossiers.read").json()["access_token"]
    assert client.get("/api/v1/officials/", **bearer(narrow)).status_code == 403
    response = get_token(client, c.client_id, secret, scope="catalog.write")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def make_key():
    """The client's own key pair: it keeps the private key, egov gets the public one."""
    private = ECKey.generate_key("P-256")
    return private, private.as_pem(private=False).decode()


def assertion(private, kid, client_id, *, aud=AUDIENCE, exp_in=60, jti=None, iss=None):
    now = int(time.time())
    claims = {
        "iss": iss or client_id,
        "sub": client_id,
        "aud": aud,
        "iat": now,
        "exp": now + exp_in,
        "jti": jti or str(uuid.uuid4()),
    }
    return jwt.encode({"alg": "ES256", "kid": kid}, claims, private)


def post_assertion(client, value):
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": svc.ASSERTION_TYPE,
        "client_assertion": value,
    }
    return post_form(client, data, HTTP_ACCEPT_LANGUAGE="en")


def test_jwt_assertion_signed_by_the_clients_key(client, api_client):
    c, _key, _secret = api_client
    private, public_pem = make_key()
    key = svc.add_public_key(c, public_pem, actor="test")
    ok = post_assertion(client, assertion(private, key.kid, c.client_id))
    assert ok.status_code == 200, ok.json()
    assert client.get("/api/v1/me/", **bearer(ok.json()["access_token"])).json()["kind"] == "client"


def test_bad_assertions_are_refused_with_a_message_and_recorded(client, api_client):
    c, _key, _secret = api_client
    private, public_pem = make_key()
    key = svc.add_public_key(c, public_pem, actor="test")
    good = assertion(private, key.kid, c.client_id, jti="once")
    assert post_assertion(client, good).status_code == 200
    header, payload, signature = assertion(private, key.kid, c.client_id).split(".")
    claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    tampered_payload = (
        base64.urlsafe_b64encode(claims.replace(b'"exp":', b'"exp":9')).decode().rstrip("=")
    )
    other_private, _ = make_key()
    cases = [
        (good, "already used"),
        (f"{header}.{tampered_payload}.{signature}", "signature is not valid"),
        (assertion(other_private, key.kid, c.client_id), "signature is not valid"),
        (assertion(private, key.kid, c.client_id, exp_in=-120), "has expired"),
        (
            assertion(private, key.kid, c.client_id, aud="https://elsewhere/token"),
            "another audience",
        ),
        (assertion(private, key.kid, c.client_id, exp_in=3600), "too long"),
        (assertion(private, "k-unknown", c.client_id), "unknown key"),
        ("not-a-jwt", "not a JWT"),
    ]
    for value, text in cases:
        response = post_assertion(client, value)
        assert response.status_code == 401, (text, response.json())
        assert response.json()["error"] == "invalid_client"
        assert text in response.json()["error_description"], response.json()
    # A row for the first refusal of each kind in the window (the second bad signature is
    # counted, not written: tests/accounts/test_token_refusals.py).
    assert refusals() == [
        "replayed jti",
        "bad signature",
        "expired",
        "wrong audience",
        "too long",
        "unknown kid",
        "malformed assertion",
    ]


def test_disabled_client_and_revoked_key(client, api_client):
    c, key, secret = api_client
    token = get_token(client, c.client_id, secret).json()["access_token"]
    svc.update_client(c, actor="test", is_active=False)
    response = get_token(client, c.client_id, secret)
    assert response.status_code == 401
    assert response.json()["error_description"] == "This client is disabled."
    refused = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en", **bearer(token))
    assert refused.status_code == 401
    assert refused.json()["message"] == "This client is disabled."
    assert AuditEntry.objects.filter(action="accounts.client_disabled").exists()
    svc.update_client(c, actor="test", is_active=True)
    assert client.get("/api/v1/me/", **bearer(token)).status_code == 200
    svc.revoke_key(key, actor="test")
    refused = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en", **bearer(token))
    assert refused.status_code == 401
    assert refused.json()["message"] == "The access token has been revoked."
    response = get_token(client, c.client_id, secret)
    assert response.status_code == 401
    assert response.json()["error_description"] == "This client key has been revoked."
    assert refusals() == ["client disabled", "client disabled", "revoked", "key revoked"]


def test_expired_and_tampered_tokens(client, api_client):
    c, key, secret = api_client
    token = get_token(client, c.client_id, secret).json()["access_token"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en", **bearer(tampered))
    assert response.status_code == 401
    assert response.json()["message"] == "The access token is not valid."
    assert 'Bearer realm="egov"' in response["WWW-Authenticate"]
    AccessToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="vi", **bearer(token))
    assert response.status_code == 401
    assert response.json()["message"] == "Mã truy cập đã hết hạn."
    assert refusals() == ["unknown token", "expired"]


def test_wrong_secret_and_missing_credentials(client, api_client):
    c, _key, _secret = api_client
    assert get_token(client, c.client_id, "wrong").status_code == 401
    assert get_token(client, "nobody", "wrong").status_code == 401
    response = post_form(client, {"grant_type": "client_credentials"})
    assert response.status_code == 401
    response = post_form(client, {"grant_type": "password"})
    assert response.json()["error"] == "unsupported_grant_type"
    assert refusals() == ["wrong secret", "unknown client"]


def test_rotation_keeps_the_old_secret_for_a_grace_period_or_not(client, api_client):
    c, old_key, old_secret = api_client
    new_key, new_secret = svc.rotate_secret(c, actor="test", grace=dt.timedelta(hours=1))
    assert get_token(client, c.client_id, old_secret).status_code == 200
    assert get_token(client, c.client_id, new_secret).status_code == 200
    ClientKey.objects.filter(pk=old_key.pk).update(expires_at=timezone.now())
    response = get_token(client, c.client_id, old_secret)
    assert response.json()["error_description"] == "This client key has expired."
    newest_key, newest = svc.rotate_secret(c, actor="test")
    assert get_token(client, c.client_id, new_secret).status_code == 401
    assert get_token(client, c.client_id, newest).status_code == 200


def test_token_endpoint_is_rate_limited(client, api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "600/min", "token": "2/min"},
    }
    from rest_framework.settings import api_settings

    api_settings.reload()
    from egov.accounts.api import TokenThrottle

    TokenThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        c, _key, secret = api_client
        codes = [get_token(client, c.client_id, secret).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
    finally:
        TokenThrottle.THROTTLE_RATES = {"anon": "600/min", "token": "30/min"}


def test_cli_creates_rotates_and_revokes(tree, capsys):  # noqa: F811
    call_command(
        "api_client",
        "create",
        "Cổng tỉnh",
        "--organisation",
        tree.p.code,
        "--scope",
        "dossiers.read",
    )
    out = capsys.readouterr().out
    assert "client_secret:" in out
    c = ApiClient.objects.get(name="Cổng tỉnh")
    call_command("api_client", "rotate", c.client_id)
    keys = list(c.keys.order_by("pk"))
    assert keys[0].revoked_at is not None and keys[1].revoked_at is None
    call_command("api_client", "revoke-key", keys[1].kid)
    call_command("api_client", "disable", c.client_id)
    c.refresh_from_db()
    assert not c.is_active


def test_schema_shows_the_scope_of_each_action(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    scheme = schema["components"]["securitySchemes"]["clientToken"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/api/v1/oauth/token"
    assert "dossiers.read" in scheme["flows"]["clientCredentials"]["scopes"]
    officials = schema["paths"]["/api/v1/officials/"]["get"]["security"]
    assert {"clientToken": ["accounts.read"]} in officials
    assert {} not in officials
    organisations = schema["paths"]["/api/v1/organisations/"]["get"]["security"]
    assert {} in organisations  # public


@pytest.mark.django_db
def test_a_token_request_that_cannot_be_read_is_refused_in_the_oauth_shape(client):
    # RFC 6749 §5.2, as the OpenAPI document says: never the API's other error shape.
    r = client.post(TOKEN_URL, b'{"grant_type": ', content_type="application/json")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request" and r.json()["error_description"]
