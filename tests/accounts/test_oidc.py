"""Citizens log in through a real OpenID provider over HTTP (the bundled oidc-provider, on Node).

Every bad input is refused with a clear message and an audit row: tampered, expired and
wrong-audience ID tokens, replayed state and nonce, a missing PKCE verifier, bad logout tokens.
"""

from __future__ import annotations

import base64
import json
import re
import time

import httpx
import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from joserfc.jwk import KeySet

from egov.accounts.models import BusinessRepresentation, Citizen, CitizenSession
from egov.accounts.oidc import flow, provider, tokens
from egov.core.models import AuditEntry
from egov.core.services.audit import verify

from .oidc_support import (
    CALLBACK,
    CITIZEN_1,
    CITIZEN_2,
    EGOV_CLIENT,
    OTHER_CALLBACK,
    OTHER_CLIENT,
    Browser,
    LoginRefused,
    local,
    query,
    start_provider,
)

# The OpenID provider runs on Node, in its own process.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def oidc_provider():
    started, capture = start_provider()
    yield started
    started.process.terminate()
    started.process.wait(timeout=10)
    capture.shutdown()


@pytest.fixture(autouse=True)
def _use_provider(oidc_provider, settings):
    settings.EGOV_OIDC_PROVIDER = "external"
    settings.EGOV_OIDC_ISSUER = oidc_provider.issuer
    settings.EGOV_OIDC_CLIENT_ID, settings.EGOV_OIDC_CLIENT_SECRET = EGOV_CLIENT
    settings.LANGUAGE_CODE = "vi"
    provider.clear_cache()
    cache.clear()  # rate limits
    oidc_provider.logout_tokens.clear()
    yield
    provider.clear_cache()


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


def start(client, next_url="/accounts/citizen/", level=None) -> str:
    """Ask egov to start a login; return the provider's authorization URL it redirects to."""
    url = f"/accounts/oidc/login?next={next_url}" + (f"&level={level}" if level else "")
    response = client.get(url)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def login(client, browser, who=CITIZEN_1, **kwargs):
    auth_url = start(client)
    back = browser.authorize(auth_url, who, **kwargs)
    return client.get(local(back))


def audit_reasons(action="accounts.citizen_login_failed") -> list[str]:
    return [e.summary.get("reason") for e in AuditEntry.objects.filter(action=action)]


def assert_refused(response, reason: str, phrase: str):
    """A clear message (Vietnamese by default), the reason on the page, and an audit row."""
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-reason="{reason}"' in page
    assert phrase in page, page
    assert reason in audit_reasons()


# --- Section 1: the flow ---------------------------------------------------------------------


def test_authorization_request_uses_pkce_state_and_nonce(client):
    params = query(start(client))
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert params["response_type"] == "code"
    assert params["state"] and params["nonce"]
    pending = client.session[flow.SESSION_PENDING][params["state"]]
    assert pending["nonce"] == params["nonce"]  # kept server-side, keyed by state
    assert flow._challenge(pending["verifier"]) == params["code_challenge"]


def test_provider_pages_have_a_header_and_a_main_landmark(client, browser):
    """axe-core asks every page's content to sit in landmarks; tests/browser/test_working_day.py
    runs it on the provider's pages too."""
    browser._follow(browser.http.get(start(client)), CALLBACK)
    page = browser.last_page
    assert 'name="login"' in page
    assert re.search(r"<body>\s*<header>.*</header>\s*<main><h1>.*</main></body>", page, re.S)


def test_citizen_logs_in_at_level_1_and_only_what_is_needed_is_kept(client, browser, caplog):
    caplog.set_level("INFO")
    response = login(client, browser, CITIZEN_1)
    assert response.status_code == 302 and response["Location"] == "/accounts/citizen/"

    citizen = Citizen.objects.get()
    assert citizen.personal_id_number == "001090000001"
    assert citizen.full_name == "Nguyễn Văn An"
    assert str(citizen.date_of_birth) == "1990-05-12"
    assert citizen.phone == "+84912000001" and citizen.email == ""
    # The place of residence (the address scope), which prefills the application form.
    assert citizen.address == {
        "formatted": "12 Lê Lợi, Phường Hải Châu, Thành phố Đà Nẵng",
        "street_address": "12 Lê Lợi",
        "locality": "Phường Hải Châu",
        "region": "Thành phố Đà Nẵng",
    }
    assert not citizen.user.has_usable_password()
    assert client.session["citizen_assurance_level"] == 1

    page = client.get("/accounts/citizen/")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.content.decode()

    entry = AuditEntry.objects.get(action="accounts.citizen_login")
    assert entry.actor == f"user:{citizen.user_id}" and entry.summary["level"] == 1
    # No raw token in the database (sessions included), no personal data in audit or logs.
    stored = json.dumps([list(Session.objects.values_list("session_data", flat=True))])
    stored += json.dumps(list(AuditEntry.objects.values("summary", "actor", "object_id")))
    stored += json.dumps(list(CitizenSession.objects.values()), default=str)
    decoded = [Session.objects.get(pk=k).get_decoded() for k in [client.session.session_key]]
    assert "eyJ" not in stored and "eyJ" not in json.dumps(decoded)
    for secret in ("001090000001", "Nguyễn Văn An", "1990-05-12", "+84912000001", "12 Lê Lợi"):
        assert secret not in stored
        assert secret not in caplog.text
    assert verify().intact


def test_anonymous_is_sent_to_login_and_comes_back(client):
    response = client.get("/accounts/citizen/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/oidc/login?next=%2Faccounts%2Fcitizen%2F")


def test_step_up_to_level_2_for_personal_data_and_acting_for_a_business(client, browser):
    login(client, browser, CITIZEN_2)
    assert client.session["citizen_assurance_level"] == 1

    # The level-2 page sends a level-1 session through a step-up login.
    response = client.get("/accounts/citizen/profile")
    assert response.status_code == 302 and "level=2" in response["Location"]
    auth_url = client.get(response["Location"])["Location"]
    params = query(auth_url)
    assert params["acr_values"] == "urn:egov:loa:2" and params["prompt"] == "login"
    with pytest.raises(LoginRefused):  # the provider wants the second factor
        browser.authorize(auth_url, CITIZEN_2[:2], otp="000000")
    assert "Mã xác thực không đúng" in browser.last_page

    auth_url = client.get(response["Location"])["Location"]
    back = browser.authorize(auth_url, CITIZEN_2[:2], otp=CITIZEN_2[2])
    response = client.get(local(back))
    assert response.status_code == 302 and response["Location"] == "/accounts/citizen/profile"
    assert client.session["citizen_assurance_level"] == 2
    step_up = AuditEntry.objects.get(action="accounts.citizen_step_up")
    assert step_up.summary == {
        "level": 2,
        "requested_level": 2,
        "new_citizen": False,
        "session": step_up.summary["session"],
    }

    page = client.get("/accounts/citizen/profile").content.decode()
    assert "079085000002" in page and "Công ty TNHH Bình An" in page
    rep = BusinessRepresentation.objects.get()
    assert rep.tax_code == "0101234567" and rep.source == "provider"

    client.post("/accounts/citizen/profile", {"tax_code": "0101234567"})
    assert client.session["citizen_acting_for"] == "0101234567"
    assert AuditEntry.objects.filter(action="accounts.citizen_acts_for_business").exists()
    response = client.post("/accounts/citizen/profile", {"tax_code": "0309999999"}, follow=True)
    assert client.session["citizen_acting_for"] == "0101234567"
    assert "Bạn không đại diện" in response.content.decode()


def test_level_1_account_cannot_step_up(client, browser):
    login(client, browser, CITIZEN_1)
    auth_url = client.get(client.get("/accounts/citizen/profile")["Location"])["Location"]
    with pytest.raises(LoginRefused):
        browser.authorize(auth_url, CITIZEN_1)
    assert "chỉ có định danh mức độ 1" in browser.last_page
    assert client.get("/accounts/citizen/profile").status_code == 302  # still level 1


def test_cancelled_login_is_refused_and_recorded(client, browser):
    back = browser.authorize(start(client), None, abort=True)
    assert_refused(client.get(local(back)), "access_denied", "đã bị hủy")


# --- Bad input ---------------------------------------------------------------------------------


def test_replayed_state_is_refused(client, browser):
    auth_url = start(client)
    back = browser.authorize(auth_url, CITIZEN_1)
    assert client.get(local(back)).status_code == 302
    assert_refused(client.get(local(back)), "state_unknown", "đã được sử dụng")
    assert AuditEntry.objects.filter(action="accounts.citizen_login").count() == 1


def test_callback_without_state_is_refused(client):
    assert_refused(client.get("/accounts/oidc/callback?code=abc"), "state_missing", "state")


def test_replayed_nonce_is_refused(client, browser):
    """The same authorization request (state, nonce) played twice: the second ID token is refused.

    An attacker who copied the session from before the login replays it with a fresh code.
    """
    auth_url = start(client)
    state = query(auth_url)["state"]
    pending = dict(client.session[flow.SESSION_PENDING])
    assert client.get(local(browser.authorize(auth_url, CITIZEN_1))).status_code == 302

    session = client.session
    session[flow.SESSION_PENDING] = pending  # the copied pre-login session
    session.save()
    back = browser.authorize(auth_url, CITIZEN_1)  # the provider issues a new code, same nonce
    assert query(back)["state"] == state
    assert_refused(client.get(local(back)), "nonce_replayed", "nonce")


def test_id_token_of_another_login_request_is_refused(client, browser, monkeypatch):
    """A real ID token of an earlier login, swapped into a new one: its nonce does not match."""
    real_exchange = flow.exchange_code
    earlier = {}
    monkeypatch.setattr(
        flow, "exchange_code", lambda *a, **k: earlier.setdefault("answer", real_exchange(*a, **k))
    )
    assert login(client, browser, CITIZEN_1).status_code == 302
    monkeypatch.setattr(flow, "exchange_code", lambda *a, **k: earlier["answer"])
    assert_refused(login(client, browser, CITIZEN_1), "nonce_mismatch", "nonce")


def test_missing_pkce_verifier_is_refused_by_the_provider(client, browser):
    auth_url = start(client)
    session = client.session
    entry = session[flow.SESSION_PENDING][query(auth_url)["state"]]
    del entry["verifier"]
    session.save()
    back = browser.authorize(auth_url, CITIZEN_1)
    assert_refused(client.get(local(back)), "pkce_verifier_missing", "PKCE")
    failure = AuditEntry.objects.get(action="accounts.citizen_login_failed")
    assert failure.summary["detail"] == "invalid_grant"  # the provider's answer
    assert not Citizen.objects.exists()


def test_provider_refuses_an_authorization_request_without_pkce(client, browser):
    auth_url = start(client)
    stripped = auth_url.replace("code_challenge_method=S256", "").replace("code_challenge=", "x=")
    back = browser.authorize(stripped, CITIZEN_1)
    assert query(back)["error"] == "invalid_request"
    assert_refused(client.get(local(back)), "provider_error", "không hoàn tất")


def _tamper_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{raw}.{signature}"


def _tamper_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join([signature[:10], signature[11:]])
    return f"{header}.{payload}.{flipped}"


def _alg_none(token: str) -> str:
    _header, payload, _signature = token.split(".")
    none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    return f"{none}.{payload}."


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [(_tamper_payload, "signature"), (_tamper_signature, "signature"), (_alg_none, "algorithm")],
    ids=["payload", "signature", "alg-none"],
)
def test_tampered_id_token_is_refused(client, browser, monkeypatch, tamper, reason):
    """A real token from the provider, altered on its way (a man in the middle)."""
    real_exchange = flow.exchange_code
    seen = {}

    def exchange_then_tamper(*args, **kwargs):
        answer = real_exchange(*args, **kwargs)
        seen["real"] = answer["id_token"]
        return {**answer, "id_token": tamper(answer["id_token"])}

    monkeypatch.setattr(flow, "exchange_code", exchange_then_tamper)
    response = login(client, browser, CITIZEN_1)
    assert seen["real"].count(".") == 2
    phrase = "chữ ký" if reason == "signature" else "thuật toán"
    assert_refused(response, reason, phrase)
    assert not Citizen.objects.exists()


def test_untampered_token_passes_the_same_path(client, browser, monkeypatch):
    """The tampering tests fail for the right reason: the same path with no change succeeds."""
    real_exchange = flow.exchange_code
    monkeypatch.setattr(flow, "exchange_code", lambda *a, **k: real_exchange(*a, **k))
    assert login(client, browser, CITIZEN_1).status_code == 302


def _token_for_other_client(browser, nonce: str) -> dict:
    """Log in at the provider as the other application would, with its own PKCE."""
    verifier = "v" * 50
    params = {
        "response_type": "code",
        "client_id": OTHER_CLIENT[0],
        "redirect_uri": OTHER_CALLBACK,
        "scope": "openid profile",
        "state": "other-state",
        "nonce": nonce,
        "code_challenge": flow._challenge(verifier),
        "code_challenge_method": "S256",
    }
    meta = provider.metadata()
    auth_url = meta["authorization_endpoint"] + "?" + httpx.QueryParams(params).__str__()
    back = browser.authorize(auth_url, CITIZEN_1, stop_prefix=OTHER_CALLBACK)
    answer = httpx.post(
        meta["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": query(back)["code"],
            "redirect_uri": OTHER_CALLBACK,
            "code_verifier": verifier,
        },
        auth=OTHER_CLIENT,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_token_for_another_audience_is_refused(client, browser, monkeypatch):
    auth_url = start(client)
    other = _token_for_other_client(browser, query(auth_url)["nonce"])
    monkeypatch.setattr(flow, "exchange_code", lambda *a, **k: other)  # substituted on the wire
    back = browser.authorize(auth_url, CITIZEN_1)
    assert_refused(client.get(local(back)), "audience", "ứng dụng khác")


def test_expired_id_token_is_refused(client, browser, monkeypatch):
    """The provider's token lives 600 s; egov checks it with its clock 11 minutes ahead."""
    monkeypatch.setattr(tokens, "clock", lambda: int(time.time()) + 660 + 60)
    assert_refused(login(client, browser, CITIZEN_1), "expired", "hết hạn")


def test_token_within_leeway_is_accepted(client, browser, monkeypatch):
    monkeypatch.setattr(tokens, "clock", lambda: int(time.time()) + 600 + 30)
    assert login(client, browser, CITIZEN_1).status_code == 302


def test_unknown_key_id_refreshes_the_cached_jwks(client, browser):
    """A cache made before the provider rotated its keys: egov fetches the JWKS again."""
    jwks_uri = provider.metadata()["jwks_uri"]
    provider.seed_keys(jwks_uri, KeySet.generate_key_set("RSA", 2048), time.monotonic() - 60)
    assert login(client, browser, CITIZEN_1).status_code == 302


def test_wrong_issuer_in_the_authorization_response_is_refused(client, browser):
    back = browser.authorize(start(client), CITIZEN_1)
    forged_iss = back.replace("iss=http", "iss=https")
    assert_refused(client.get(local(forged_iss)), "issuer", "nhà cung cấp khác")


def _without_iss(url: str) -> str:
    scheme, _, rest = url.partition("?")
    kept = [p for p in rest.split("&") if not p.startswith("iss=")]
    assert len(kept) < len(rest.split("&"))
    return f"{scheme}?{'&'.join(kept)}"


def test_missing_issuer_is_refused_when_the_provider_always_sends_it(client, browser):
    assert provider.metadata()["authorization_response_iss_parameter_supported"] is True
    back = browser.authorize(start(client), CITIZEN_1)
    assert_refused(client.get(local(_without_iss(back))), "issuer_missing", "không cho biết")
    assert not Citizen.objects.exists()


def test_missing_issuer_is_accepted_from_a_provider_that_never_sends_it(client, browser):
    provider.metadata()["authorization_response_iss_parameter_supported"] = False
    back = browser.authorize(start(client), CITIZEN_1)
    response = client.get(local(_without_iss(back)))
    assert response.status_code == 302 and Citizen.objects.count() == 1


# --- Logout ----------------------------------------------------------------------------------


def test_rp_initiated_logout(client, browser, oidc_provider):
    login(client, browser, CITIZEN_1)
    response = client.post("/accounts/oidc/logout")
    assert response.status_code == 302
    params = query(response["Location"])
    assert response["Location"].startswith(provider.metadata()["end_session_endpoint"])
    assert params["id_token_hint"].count(".") == 2 and params["client_id"] == EGOV_CLIENT[0]
    assert client.get("/accounts/citizen/").status_code == 302  # logged out here
    assert AuditEntry.objects.filter(action="accounts.citizen_logout").count() == 1
    assert not CitizenSession.objects.exists()

    back = browser.logout_at_provider(response["Location"])
    assert back == "http://testserver/accounts/oidc/logged-out"
    assert "đã đăng xuất" in client.get(local(back)).content.decode()
    # The provider also told egov over the back channel: nothing left to end.
    token = oidc_provider.wait_logout_token()
    assert (
        client.post("/accounts/oidc/backchannel-logout", {"logout_token": token}).status_code == 200
    )


def test_backchannel_logout_ends_the_sessions_of_that_citizen(client, browser, oidc_provider):
    login(client, browser, CITIZEN_1)
    assert client.get("/accounts/citizen/").status_code == 200
    citizen = Citizen.objects.get()
    # The citizen logs out at the provider (another application, or the provider's own page).
    end_session = provider.metadata()["end_session_endpoint"]
    browser.logout_at_provider(f"{end_session}?client_id={EGOV_CLIENT[0]}")
    token = oidc_provider.wait_logout_token()

    response = client.post("/accounts/oidc/backchannel-logout", {"logout_token": token})
    assert response.status_code == 200
    assert client.get("/accounts/citizen/").status_code == 302  # the session is gone
    assert not CitizenSession.objects.filter(citizen=citizen).exists()
    entry = AuditEntry.objects.filter(action="accounts.citizen_logout").get()
    assert entry.actor == "provider" and entry.summary == {"channel": "backchannel"}

    # The same logout token again, or altered: refused and recorded.
    again = client.post("/accounts/oidc/backchannel-logout", {"logout_token": token})
    assert again.status_code == 400
    altered = client.post(
        "/accounts/oidc/backchannel-logout", {"logout_token": _tamper_payload(token)}
    )
    assert altered.status_code == 400 and "không hợp lệ" in altered.json()["error_description"]
    assert audit_reasons("accounts.citizen_logout_refused") == ["logout_replayed", "logout_token"]


def test_stale_logout_token_is_refused(client, browser, oidc_provider, monkeypatch):
    login(client, browser, CITIZEN_1)
    end_session = provider.metadata()["end_session_endpoint"]
    browser.logout_at_provider(f"{end_session}?client_id={EGOV_CLIENT[0]}")
    token = oidc_provider.wait_logout_token()
    monkeypatch.setattr(tokens, "clock", lambda: int(time.time()) + 600)
    response = client.post("/accounts/oidc/backchannel-logout", {"logout_token": token})
    assert response.status_code == 400
    assert client.get("/accounts/citizen/").status_code == 200  # nothing was ended
    refused = AuditEntry.objects.get(action="accounts.citizen_logout_refused")
    assert refused.summary == {"reason": "logout_token", "detail": "expired"}


def test_an_id_token_is_not_a_logout_token(client, browser, monkeypatch):
    real_exchange = flow.exchange_code
    seen = {}
    monkeypatch.setattr(
        flow, "exchange_code", lambda *a, **k: seen.setdefault("t", real_exchange(*a, **k))
    )
    login(client, browser, CITIZEN_1)
    response = client.post(
        "/accounts/oidc/backchannel-logout", {"logout_token": seen["t"]["id_token"]}
    )
    assert response.status_code == 400
    assert client.get("/accounts/citizen/").status_code == 200


def test_unreachable_provider_gives_a_clear_message(client, settings):
    settings.EGOV_OIDC_ISSUER = "http://127.0.0.1:9"
    response = client.get("/accounts/oidc/login")
    assert response.status_code == 503
    assert "Không thể kết nối" in response.content.decode()
    assert audit_reasons() == ["provider_unreachable"]


def test_login_attempts_are_rate_limited(client, settings):
    settings.EGOV_LOGIN_RATE = "3/min"
    for _ in range(3):
        assert client.get("/accounts/oidc/login").status_code == 302
    response = client.get("/accounts/oidc/login")
    assert response.status_code == 429
    assert "Quá nhiều lần đăng nhập" in response.content.decode()
    assert audit_reasons() == ["rate_limited"]


def test_callback_url_is_the_registered_one():
    assert CALLBACK.endswith("/accounts/oidc/callback")
