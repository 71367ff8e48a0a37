"""Webhook authentication: pushes to a real receiver on loopback, signed under the mailbox's
secret (set and rotated with `egov exchange webhook-secret`), checked with the function the
docs tell receivers to copy (egov.exchange.webhook.verify)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from egov import cli
from egov.core.models import AuditEntry, OutboxMessage
from egov.core.services import outbox as core_outbox
from egov.exchange import webhook
from egov.exchange.models import Delivery, Mailbox
from egov.exchange.services import outbox
from egov.exchange.services.hub import packages
from tests.accounts.officials_support import make_official

from .conftest import make_package, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """An HTTP server on loopback that answers 200 to a push that verifies under ``secret``,
    401 otherwise; it keeps what it got."""
    state = SimpleNamespace(secret="", seen=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = webhook.verify(
                state.secret,
                body,
                self.headers.get(webhook.ID_HEADER),
                self.headers.get(webhook.TIMESTAMP_HEADER),
                self.headers.get(webhook.SIGNATURE_HEADER),
            )
            state.seen.append(SimpleNamespace(headers=dict(self.headers), body=body, ok=ok))
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for serve_forever's next poll: 0.5 s by default, per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def set_secret(code: str, out: io.StringIO | None = None) -> str:
    out = out or io.StringIO()
    call_command("exchange", "webhook-secret", code, stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("webhook_secret: "))
    return line.split()[1]


def push_package(orgs, number: int) -> OutboxMessage:
    clerk = make_official(f"clerk_p{number}", orgs.p, "clerk").user
    data = signed(make_package(orgs.p, [orgs.q], number=number), orgs.p)
    package = packages.accept_package(data, actor=clerk).package
    return OutboxMessage.objects.get(kind="exchange.package", payload__package=package.pk)


def test_signed_pushes_verify_at_the_receiver_and_tampering_does_not(orgs, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    Mailbox.objects.create(organisation=orgs.q, webhook_url=receiver.url)
    receiver.secret = set_secret(orgs.q.code)
    assert receiver.secret.startswith("whsec_") and len(receiver.secret) > 40

    message = push_package(orgs, 1)
    assert outbox.send(message.pk) == "sent"
    [got] = receiver.seen
    assert got.ok
    assert got.headers["Idempotency-Key"] == message.key
    assert got.headers[webhook.SIGNATURE_HEADER].startswith("v1=")
    key = message.key
    timestamp, mac = got.headers[webhook.TIMESTAMP_HEADER], got.headers[webhook.SIGNATURE_HEADER]
    assert len(mac.split()) == 1  # one secret, one signature
    secret = receiver.secret
    assert webhook.verify(secret, got.body, key, timestamp, mac)
    # A changed body, a stale or future timestamp, another secret, missing headers: refused.
    assert not webhook.verify(secret, got.body.replace(b"UBND", b"UBNX"), key, timestamp, mac)
    assert not webhook.verify(secret, got.body, key, str(int(timestamp) - 1), mac)
    later = int(timestamp) + webhook.TOLERANCE + 1
    assert not webhook.verify(secret, got.body, key, timestamp, mac, now=later)
    earlier = int(timestamp) - webhook.TOLERANCE - 1
    assert not webhook.verify(secret, got.body, key, timestamp, mac, now=earlier)
    assert webhook.verify(secret, got.body, key, timestamp, mac, now=later - 1)
    assert not webhook.verify("whsec_other", got.body, key, timestamp, mac)
    assert not webhook.verify(secret, got.body, key, None, mac)
    assert not webhook.verify(secret, got.body, key, timestamp, "")
    assert not webhook.verify(secret, got.body, None, timestamp, mac)
    # The signed string is "key.timestamp.body" (docs/exchange.md), computed here by hand.
    by_hand = hmac.new(
        secret.encode(), f"{key}.{timestamp}.".encode() + got.body, hashlib.sha256
    ).hexdigest()
    assert mac == "v1=" + by_hand

    # The secret is in no log line, no audit row, and not in clear in the database.
    stored = Mailbox.objects.get(organisation=orgs.q).webhook_secret
    assert stored and receiver.secret not in stored
    assert receiver.secret not in caplog.text
    entry = AuditEntry.objects.get(action="exchange.webhook_secret_set")
    assert entry.organisation_id == orgs.q.pk and entry.actor == "cli"
    assert receiver.secret not in str(entry.summary)


def test_a_replay_under_another_idempotency_key_fails(orgs, receiver):
    Mailbox.objects.create(organisation=orgs.q, webhook_url=receiver.url)
    receiver.secret = set_secret(orgs.q.code)
    message = push_package(orgs, 4)
    assert outbox.send(message.pk) == "sent"
    [got] = receiver.seen
    timestamp, mac = got.headers[webhook.TIMESTAMP_HEADER], got.headers[webhook.SIGNATURE_HEADER]
    # The captured push, replayed at once (well within the window) under a key the receiver has
    # not seen, so that its de-duplication would let it through: the MAC does not match.
    for other in ("package:999999", message.key + "x", message.key.upper(), ""):
        assert not webhook.verify(receiver.secret, got.body, other, timestamp, mac)
    assert webhook.verify(receiver.secret, got.body, message.key, timestamp, mac)
    # The snippet docs/exchange.md gives receivers to copy agrees.
    docs = (Path(__file__).parents[2] / "docs" / "exchange.md").read_text()
    snippet = docs.split("### Webhook authentication")[1].split("```python")[1].split("```")[0]
    copied: dict = {}
    exec(snippet, copied)  # noqa: S102 - our own documentation
    assert copied["verify"](receiver.secret, got.body, message.key, timestamp, mac)
    assert not copied["verify"](receiver.secret, got.body, "package:999999", timestamp, mac)

    # Over HTTP: the same bytes and headers but the key, refused.
    headers = {k: v for k, v in got.headers.items() if k not in ("Host", "Content-Length")}
    headers["Idempotency-Key"] = "package:999999"
    assert httpx.post(receiver.url, content=got.body, headers=headers).status_code == 401
    headers["Idempotency-Key"] = message.key
    assert httpx.post(receiver.url, content=got.body, headers=headers).status_code == 200


def test_rotation_keeps_the_old_secret_signing_for_the_overlap_then_stops(orgs, receiver):
    Mailbox.objects.create(organisation=orgs.q, webhook_url=receiver.url)
    first = set_secret(orgs.q.code)
    before = timezone.now()
    out = io.StringIO()
    second = set_secret(orgs.q.code, out)
    assert first != second
    key, body = "package:1", b"x"
    assert webhook.signature(first, key, 1, body) != webhook.signature(second, key, 1, body)

    mailbox = Mailbox.objects.get(organisation=orgs.q)
    until = mailbox.webhook_secret_previous_until
    assert dt.timedelta(hours=24) <= until - before < dt.timedelta(hours=24, minutes=1)
    assert first not in mailbox.webhook_secret_previous  # kept encrypted, like the current one
    assert f"still works until {until:%Y-%m-%d %H:%M} UTC" in out.getvalue()
    rows = AuditEntry.objects.filter(action="exchange.webhook_secret_set").order_by("seq")
    assert [r.summary["rotated"] for r in rows] == [False, True]
    assert [r.summary["previous_until"] for r in rows] == [None, until.isoformat()]
    assert first not in str(rows[1].summary) and second not in str(rows[1].summary)

    # During the overlap: two signatures, new first; a receiver with either secret takes it.
    receiver.secret = first
    message = push_package(orgs, 2)
    assert outbox.send(message.pk) == "sent"
    [got] = receiver.seen
    mac = got.headers[webhook.SIGNATURE_HEADER]
    new_mac, old_mac = mac.split(" ")
    timestamp = got.headers[webhook.TIMESTAMP_HEADER]
    assert new_mac == webhook.signature(second, message.key, int(timestamp), got.body)
    assert old_mac == webhook.signature(first, message.key, int(timestamp), got.body)
    assert webhook.verify(second, got.body, message.key, timestamp, mac)

    # The overlap is over (its end moved into the past): only the new secret signs; the
    # receiver still on the old one refuses, and the push is retried until it switches.
    Mailbox.objects.filter(pk=mailbox.pk).update(
        webhook_secret_previous_until=timezone.now() - dt.timedelta(seconds=1)
    )
    message = push_package(orgs, 3)
    assert outbox.send(message.pk) == "pending"
    assert OutboxMessage.objects.get(pk=message.pk).last_error == "HTTP 401"
    assert len(receiver.seen[-1].headers[webhook.SIGNATURE_HEADER].split()) == 1
    mailbox.refresh_from_db()  # the old secret is not kept past its overlap
    assert mailbox.webhook_secret_previous == "" and mailbox.webhook_secret_previous_until is None
    receiver.secret = second
    assert outbox.send(message.pk) == "sent"
    assert [s.ok for s in receiver.seen] == [True, False, True]
    # Each attempt is signed anew; the Idempotency-Key stays.
    assert {s.headers["Idempotency-Key"] for s in receiver.seen[1:]} == {message.key}


def test_rotation_without_overlap_and_removal_stop_the_old_secret_at_once(orgs, receiver, settings):
    Mailbox.objects.create(organisation=orgs.q, webhook_url=receiver.url)
    first = set_secret(orgs.q.code)
    second = set_secret(orgs.q.code)  # overlaps with the first
    settings.EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS = 0
    out = io.StringIO()
    third = set_secret(orgs.q.code, out)  # no overlap: neither the second nor the first
    assert "stopped now" in out.getvalue() and "still works" not in out.getvalue()
    mailbox = Mailbox.objects.get(organisation=orgs.q)
    assert mailbox.webhook_secret_previous == "" and mailbox.webhook_secret_previous_until is None
    entry = AuditEntry.objects.filter(action="exchange.webhook_secret_set").latest("seq")
    assert entry.summary["rotated"] and entry.summary["previous_until"] is None
    for secret, ok in ((first, False), (second, False), (third, True)):
        receiver.secret = secret
        message = push_package(orgs, 10 + len(receiver.seen))
        assert outbox.send(message.pk) == ("sent" if ok else "pending")

    # --remove during an overlap removes the previous secret too.
    settings.EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS = 24
    set_secret(orgs.q.code)
    assert Mailbox.objects.get(organisation=orgs.q).webhook_secret_previous
    call_command("exchange", "webhook-secret", orgs.q.code, "--remove", stdout=io.StringIO())
    mailbox.refresh_from_db()
    assert mailbox.webhook_secret == mailbox.webhook_secret_previous == ""
    assert mailbox.webhook_secret_previous_until is None
    message = push_package(orgs, 20)
    outbox.send(message.pk)
    assert webhook.SIGNATURE_HEADER not in receiver.seen[-1].headers


def test_a_mailbox_without_a_secret_gets_unsigned_pushes(orgs, receiver):
    Mailbox.objects.create(organisation=orgs.q, webhook_url=receiver.url)
    message = push_package(orgs, 3)
    assert outbox.send(message.pk) == "pending"  # this receiver insists on a signature
    [got] = receiver.seen
    assert webhook.SIGNATURE_HEADER not in got.headers
    assert webhook.TIMESTAMP_HEADER not in got.headers
    assert got.headers["Idempotency-Key"] == message.key

    # Removed again after being set: unsigned again.
    set_secret(orgs.q.code)
    call_command("exchange", "webhook-secret", orgs.q.code, "--remove", stdout=io.StringIO())
    assert Mailbox.objects.get(organisation=orgs.q).webhook_secret == ""
    assert AuditEntry.objects.filter(action="exchange.webhook_secret_removed").count() == 1


def test_the_command_refuses_an_unknown_organisation(orgs, monkeypatch, capsys):
    with pytest.raises(CommandError, match="No organisation 000.00.99.H99"):
        call_command("exchange", "webhook-secret", "000.00.99.H99")
    # As `egov exchange webhook-secret ...` run from a shell: an error and a non-zero exit.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # the test's transaction
    with pytest.raises(SystemExit) as exit_:
        cli.main(["exchange", "webhook-secret", "000.00.99.H99"])
    assert exit_.value.code != 0
    assert "No organisation 000.00.99.H99" in capsys.readouterr().err
    assert not Mailbox.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="exchange.webhook_secret").exists()


def test_the_command_sets_and_removes_the_webhook_url_audited(orgs):
    out = io.StringIO()
    call_command("exchange", "webhook-url", orgs.q.code, "https://vpdt.q.gov.vn/hook", stdout=out)
    assert "pushes" in out.getvalue() and "no webhook secret" in out.getvalue()
    assert Mailbox.objects.get(organisation=orgs.q).webhook_url == "https://vpdt.q.gov.vn/hook"
    call_command("exchange", "webhook-url", orgs.q.code, "--remove", stdout=io.StringIO())
    assert Mailbox.objects.get(organisation=orgs.q).webhook_url == ""
    actions = list(
        AuditEntry.objects.filter(action__startswith="exchange.webhook_url")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["exchange.webhook_url_set", "exchange.webhook_url_removed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["000.00.99.H99", "https://x.gov.vn/"], "No organisation"),
        (["{q}", "ftp://x.gov.vn/"], "not an http"),
        (["{q}", "http://x.gov.vn/hook"], "https only"),
        (["{q}"], "either a URL or --remove"),
        (["{q}", "https://x.gov.vn/", "--remove"], "either a URL or --remove"),
    ],
)
def test_the_url_command_refuses_bad_input_and_changes_nothing(orgs, args, message):
    args = [a.format(q=orgs.q.code) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("exchange", "webhook-url", *args)
    assert not Mailbox.objects.filter(organisation=orgs.q).exclude(webhook_url="").exists()
    assert not AuditEntry.objects.filter(action__startswith="exchange.webhook_url").exists()


@pytest.mark.outbox
def test_a_push_whose_worker_was_killed_is_delivered_after_the_sweep(orgs, receiver, client):
    """Before the core outbox a push left RUNNING by a killed worker stayed so and /healthz
    saw nothing; now it is reported, swept, tried again with the same key and delivered."""
    Mailbox.objects.create(organisation=orgs.q, webhook_url=receiver.url)
    receiver.secret = set_secret(orgs.q.code)
    message = push_package(orgs, 30)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state="running", claim="killed", leased_until=timezone.now() - dt.timedelta(hours=1)
    )
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["outbox"]["stale"] == 1
    assert core_outbox.sweep() == 1
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, core_outbox.LOST)
    assert outbox.send(message.pk) == "sent"
    [got] = receiver.seen
    assert got.ok and got.headers["Idempotency-Key"] == message.key
    assert Delivery.objects.get(pk=message.payload["delivery"]).transport_state == "delivered"
    assert client.get("/healthz").json()["checks"]["outbox"]["stale"] == 0
