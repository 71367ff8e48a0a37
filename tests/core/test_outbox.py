"""The core outbox: added in the caller's transaction, enqueued after commit (never after a
rollback), once per key, retried with backoff then failed, and swept when its task died.

Backend-agnostic: rows are queued through django-tasks (``task_enqueued`` tells what was queued)
and run by ``egov worker --batch``; no test reads a backend's own tables."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.signals import task_enqueued

from egov.core import tasks
from egov.core.models import AuditEntry, OutboxMessage
from egov.core.services import outbox

pytestmark = pytest.mark.outbox

NO_WAIT = dt.timedelta(0)


class Effects:
    """A test kind's handler: it keeps what it did, and fails while ``failures`` says so."""

    def __init__(self):
        self.done: list[tuple[str, dict]] = []
        self.failures = 0
        self.permanent = False
        self.recorded: list[tuple[str, str]] = []

    def send(self, message, **options):
        if self.failures:
            self.failures -= 1
            raise outbox.Failure("receiver down", permanent=self.permanent)
        self.done.append((message.key, message.payload))
        return "answer"

    def record(self, message, result, error):
        self.recorded.append((message.state, result or error))


@pytest.fixture
def effects(monkeypatch):
    monkeypatch.setattr(outbox, "_kinds", dict(outbox._kinds))
    handler = Effects()
    outbox.register("test.effect", handler.send, max_attempts=3, backoff=lambda n: NO_WAIT)
    outbox.register(
        "test.slow",
        handler.send,
        max_attempts=3,
        backoff=outbox.exponential(dt.timedelta(seconds=10), most=dt.timedelta(seconds=25)),
        recorded=handler.record,
    )
    return handler


@pytest.fixture
def queued():
    """The outbox tasks handed to the task backend: (message id, run_after)."""
    seen: list[tuple[int, dt.datetime | None]] = []

    def spy(sender, task_result, **kwargs):
        if task_result.task.name == "run_message":
            seen.append((task_result.args[0], task_result.task.run_after))

    task_enqueued.connect(spy)
    yield seen
    task_enqueued.disconnect(spy)


def work_off_the_queue():
    call_command("worker", batch=True, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_row_is_queued_after_commit_and_never_after_a_rollback(effects, queued):
    with transaction.atomic():
        message = outbox.add("test.effect", {"n": 1}, key="k1")
        assert OutboxMessage.objects.get(pk=message.pk).state == "pending"
        assert queued == []  # not before the change is committed
    assert queued == [(message.pk, None)]

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.add("test.effect", {"n": 2}, key="k2")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.filter(key="k2").exists()
    assert len(queued) == 1

    work_off_the_queue()
    assert effects.done == [("k1", {"n": 1})]
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    work_off_the_queue()  # nothing left: a second run does nothing again
    assert len(effects.done) == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_key_is_one_row_and_one_effect(effects, queued, django_assert_num_queries):
    with transaction.atomic():
        with django_assert_num_queries(1):  # one INSERT, no read first
            first = outbox.add("test.effect", {"n": 1}, key="same")
        again = outbox.add("test.effect", {"n": 2}, key="same")
    with transaction.atomic():
        later = outbox.add("test.effect", {"n": 3}, key="same")
    assert first.pk == again.pk == later.pk and later.payload == {"n": 1}
    other_kind = outbox.add("test.slow", {"n": 4}, key="same")  # a key is unique per kind
    assert other_kind.pk != first.pk
    assert [pk for pk, _ in queued] == [first.pk, other_kind.pk]
    work_off_the_queue()
    assert effects.done == [("same", {"n": 1}), ("same", {"n": 4})]
    # Added again once sent: still the one row, nothing queued, nothing done again.
    assert outbox.add("test.effect", {"n": 5}, key="same").state == "sent"
    work_off_the_queue()
    assert len(effects.done) == 2 and len(queued) == 2


@pytest.mark.django_db
def test_an_unknown_kind_is_refused():
    with pytest.raises(LookupError, match="no outbox handler"), transaction.atomic():
        outbox.add("test.nobody", {}, key="x")


@pytest.mark.django_db(transaction=True)
def test_failures_are_retried_with_backoff_then_failed(effects, queued):
    effects.failures = 3
    with transaction.atomic():
        message = outbox.add("test.slow", {}, key="r")
    start = timezone.now()
    assert outbox.run(message.pk) == "pending"
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "receiver down")
    assert dt.timedelta(seconds=10) <= row.next_attempt_at - start < dt.timedelta(seconds=12)
    # The retry is queued to run at that time.
    assert queued[-1] == (message.pk, row.next_attempt_at)
    assert outbox.run(message.pk) == "skipped"  # not due yet
    assert outbox.run(message.pk, now=row.next_attempt_at) == "pending"
    row = OutboxMessage.objects.get(pk=message.pk)
    assert dt.timedelta(seconds=20) <= row.next_attempt_at - start < dt.timedelta(seconds=22)
    later = row.next_attempt_at + dt.timedelta(seconds=1)
    assert outbox.run(message.pk, now=later) == "failed"  # the third and last attempt
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts, row.sent_at) == ("failed", 3, None)
    assert effects.recorded == [
        ("pending", "receiver down"),
        ("pending", "receiver down"),
        ("failed", "receiver down"),
    ]
    assert outbox.run(message.pk, now=later) == "skipped"
    assert effects.done == []
    # The backoff grows and stops at its ceiling.
    slow = outbox.kind("test.slow").backoff
    assert [slow(n).seconds for n in (1, 2, 3, 4)] == [10, 20, 25, 25]


@pytest.mark.django_db(transaction=True)
def test_a_permanent_failure_is_not_retried(effects):
    effects.failures, effects.permanent = 1, True
    with transaction.atomic():
        message = outbox.add("test.slow", {}, key="refused")
    assert outbox.run(message.pk) == "failed"
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts) == ("failed", 1)


@pytest.mark.django_db(transaction=True)
def test_a_row_is_run_before_its_time_only_when_asked(effects):
    effects.failures = 1
    with transaction.atomic():
        message = outbox.add("test.slow", {}, key="now")
    assert outbox.run(message.pk) == "pending"
    assert outbox.run(message.pk) == "skipped"
    assert outbox.run(message.pk, early=True) == "sent"  # an operator's "try again now"


@pytest.mark.django_db(transaction=True)
def test_a_row_whose_kind_lost_its_handler_fails_instead_of_hanging(effects, monkeypatch):
    with transaction.atomic():
        message = outbox.add("test.effect", {}, key="orphan")
    monkeypatch.delitem(outbox._kinds, "test.effect")
    assert outbox.run(message.pk) == "failed"
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts) == ("failed", 1) and "no outbox handler" in row.last_error


def left_running(message, *, ago: dt.timedelta) -> None:
    """What a worker killed mid-attempt leaves: RUNNING, its lease over ``ago``."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        state="running", claim="dead", leased_until=timezone.now() - ago
    )


@pytest.mark.django_db(transaction=True)
def test_the_sweep_queues_again_a_running_row_whose_task_died(effects, queued, client, settings):
    settings.EGOV_TASK_STALE_SECONDS = 60
    with transaction.atomic():
        message = outbox.add("test.effect", {"n": 1}, key="died")
    left_running(message, ago=dt.timedelta(minutes=10))
    assert client.get("/healthz").status_code == 503
    report = client.get("/healthz").json()["checks"]["outbox"]
    assert report["ok"] is False and report["stale"] == 1
    assert 600 <= report["oldest_seconds"] < 660

    assert outbox.sweep() == 1
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts, row.claim) == ("pending", 1, "")  # the lost attempt counts
    assert row.last_error == outbox.LOST
    assert queued[-1][0] == message.pk
    entry = AuditEntry.objects.get(action="outbox.lease_expired")
    assert entry.summary["key"] == "died" and entry.summary["claim"] == "dead"
    assert outbox.sweep() == 0  # queued once
    # The dead attempt, should it ever come back, records nothing over the new one.
    assert outbox._record(message.pk, "dead", None, "") == "skipped"

    work_off_the_queue()
    assert effects.done == [("died", {"n": 1})]
    assert OutboxMessage.objects.get(pk=message.pk).state == "sent"
    assert client.get("/healthz").json()["checks"]["outbox"] == {
        "ok": True,
        "stale": 0,
        "oldest_seconds": 0,
    }


@pytest.mark.django_db(transaction=True)
def test_a_row_still_in_its_lease_is_left_alone(effects, settings):
    with transaction.atomic():
        message = outbox.add("test.effect", {}, key="busy")
    OutboxMessage.objects.filter(pk=message.pk).update(
        state="running", claim="alive", leased_until=timezone.now() + dt.timedelta(minutes=1)
    )
    assert outbox.sweep() == 0
    assert outbox.run(message.pk) == "skipped"  # nobody else takes a held row
    assert OutboxMessage.objects.get(pk=message.pk).claim == "alive"


@pytest.mark.django_db(transaction=True)
def test_a_row_whose_task_never_came_is_queued_by_the_worker(effects, monkeypatch):
    with monkeypatch.context() as patched, transaction.atomic():
        patched.setattr(outbox, "enqueue", lambda *a, **k: None)  # the queue lost it
        message = outbox.add("test.effect", {}, key="lost")
    work_off_the_queue()
    assert effects.done == []  # due, but no task: a lease must pass first
    lease = dt.timedelta(seconds=outbox.settings.EGOV_OUTBOX_LEASE_SECONDS)
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - lease - dt.timedelta(seconds=1)
    )
    work_off_the_queue()  # `egov worker` sweeps first, then runs what the sweep queued
    assert effects.done == [("lost", {})]
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts) == ("sent", 1)


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_a_killed_attempt_before_its_batch(effects):
    with transaction.atomic():
        message = outbox.add("test.effect", {}, key="killed")
    left_running(message, ago=dt.timedelta(seconds=1))
    work_off_the_queue()
    assert effects.done == [("killed", {})]
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 2


def test_the_long_running_worker_sweeps_periodically(monkeypatch, settings):
    settings.EGOV_OUTBOX_SWEEP_SECONDS = 0.01
    swept = threading.Semaphore(0)
    monkeypatch.setattr(outbox, "sweep", lambda: swept.release() or 0)
    stop = threading.Event()
    thread = tasks.start_outbox_sweeper(stop)
    try:
        for _ in range(3):  # at start, then again and again
            assert swept.acquire(timeout=10)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


# --------------------------------------------------------------------------- a real kill -9

WORKER = """
import sys, time, django
django.setup()
from django.core.management import call_command
from egov.core.services import outbox

def hang(message, **options):
    open(sys.argv[1], "w").write(message.key)
    time.sleep(3600)

outbox.register("test.effect", hang, max_attempts=3, backoff=lambda n: outbox.dt.timedelta(0))
call_command("worker", interval=0.1, verbosity=0)
"""


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_attempt_leaves_a_row_the_sweep_delivers(effects, tmp_path, client):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:", ":memory:")
    ):
        pytest.skip("the test database is in memory: another process cannot share it")
    with transaction.atomic():
        message = outbox.add("test.effect", {"n": 1}, key="kill-9")
    started = tmp_path / "started"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
        "DATABASE_URL": database_url(),
        "EGOV_ENV": "test",
        "EGOV_DB_POOL": "0",
        "EGOV_OUTBOX_LEASE_SECONDS": "1",
        "EGOV_OUTBOX_SWEEP_SECONDS": "3600",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(started)], env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker never took the row"
            time.sleep(0.1)
        assert OutboxMessage.objects.get(pk=message.pk).state == "running"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.state == "running" and row.sent_at is None  # what the worker left behind
    time.sleep(max((row.leased_until - timezone.now()).total_seconds(), 0) + 0.1)

    work_off_the_queue()  # this process's worker: sweep, then the attempt goes through
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.attempts) == ("sent", 2)
    assert effects.done == [("kill-9", {"n": 1})]
    assert client.get("/healthz").json()["checks"]["outbox"]["stale"] == 0
