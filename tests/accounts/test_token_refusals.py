"""Refused bearer tokens: a per-address limit (429 past it) and counted summaries in the audit
chain instead of one row per request (egov.accounts.services.refusals)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from egov.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/dossiers/"


def _rows():
    return list(AuditEntry.objects.filter(action="accounts.token_refused").order_by("seq"))


def test_fifty_junk_tokens_make_a_few_counted_rows_and_then_429(client, settings):
    settings.EGOV_AUTH_FAILURE_RATE = "10/min"
    junk = [client.get(URL, HTTP_AUTHORIZATION=f"Bearer junk-{i}") for i in range(50)]
    statuses = [response.status_code for response in junk]
    assert statuses == [401] * 10 + [429] * 40
    rows = _rows()
    # 1 (something was refused), 10 (the limit), 11 (limited from now on): not fifty.
    assert [r.summary["refused"] for r in rows] == [1, 10, 11]
    assert [r.summary["limited"] for r in rows] == [False, False, True]
    assert {r.summary["address"] for r in rows} == {"127.0.0.1"}
    assert {r.summary["reason"] for r in rows} == {"unknown token"}
    assert len({r.summary["window_start"] for r in rows}) == 1
    assert rows[0].summary["window_seconds"] == 60
    limited = client.get(URL, HTTP_AUTHORIZATION="Bearer junk", HTTP_ACCEPT_LANGUAGE="vi")
    assert limited.status_code == 429 and 0 < int(limited["Retry-After"]) <= 60
    body = limited.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "throttled"
    assert "Quá nhiều" in body["message"]


def test_another_address_has_its_own_count(client, settings):
    settings.EGOV_AUTH_FAILURE_RATE = "2/min"
    for _ in range(3):
        client.get(URL, HTTP_AUTHORIZATION="Bearer junk")
    other = client.get(URL, HTTP_AUTHORIZATION="Bearer junk", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 401
    assert [(r.summary["address"], r.summary["refused"]) for r in _rows()] == [
        ("127.0.0.1", 1),
        ("127.0.0.1", 3),
        ("10.0.0.9", 1),
    ]


@pytest.mark.parametrize(
    ("count", "limit", "row"),
    [
        (1, 10, True),
        (2, 10, False),
        (10, 10, True),
        (11, 10, True),
        (12, 10, False),
        (100, 10, True),
        (300, 10, False),
        (1000, 10, True),
    ],
)
def test_rows_at_one_each_power_of_ten_and_the_limit(count, limit, row):
    from egov.accounts.services.refusals import _worth_a_row

    assert _worth_a_row(count, limit) is row


def test_a_new_kind_of_refusal_in_the_window_has_its_row(client, settings):
    settings.EGOV_AUTH_FAILURE_RATE = "10/min"
    from egov.accounts.services import refusals

    refusals.token_refused("10.1.1.1", "unknown token")
    refusals.token_refused("10.1.1.1", "unknown token")
    refusals.token_refused("10.1.1.1", "expired")
    assert [(r.summary["reason"], r.summary["refused"]) for r in _rows()] == [
        ("unknown token", 1),
        ("expired", 3),
    ]


def test_junk_client_credentials_make_counted_rows_too(client, settings):
    settings.EGOV_AUTH_FAILURE_RATE = "10/min"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "token": "1000/min"},
    }
    for i in range(30):
        data = {"grant_type": "client_credentials", "client_id": f"junk-{i}", "client_secret": "x"}
        response = client.post(
            "/api/v1/oauth/token", urlencode(data), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 401
    rows = AuditEntry.objects.filter(action="accounts.client_auth_refused").order_by("seq")
    assert [(r.summary["reason"], r.summary["refused"]) for r in rows] == [
        ("unknown client", 1),
        ("unknown client", 10),
        ("unknown client", 11),
    ]
