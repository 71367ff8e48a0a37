"""The outbox: an effect outside the database, added in the transaction of the change that causes
it and carried out after commit by the task worker, retried with backoff, once per key.

- :func:`add` (in the caller's transaction) writes one row for ``(kind, key)`` and enqueues its
  task after commit; nothing is enqueued for a rolled-back change, and a second add with the
  same key returns the existing row and enqueues nothing.
- Each kind has a handler, registered with :func:`register` by its app (``AppConfig.ready``):
  core never imports the apps. ``send(message, **options)`` has the effect (outside any
  transaction) and raises on failure, :class:`Failure` with ``permanent=True`` when a retry
  would not help; ``recorded(message, result, error)`` runs in the transaction that records the
  attempt (``message.state`` already says how it went).
- :func:`run` (the task) claims the row (RUNNING, leased for ``EGOV_OUTBOX_LEASE_SECONDS``), sends,
  then records: SENT, or PENDING again after the kind's backoff with a new task, or FAILED after
  its last attempt or a permanent failure.
- :func:`sweep` (the worker, every ``EGOV_OUTBOX_SWEEP_SECONDS``) queues again the rows whose task
  is lost: RUNNING past their lease (the worker was killed mid-attempt: that attempt counts) and
  PENDING for longer than a lease past their due time. A second task for a row is harmless: only
  one can claim it.

Exactly once: one row per ``(kind, key)``, and one recorded success per row. An attempt cut short
by a dead worker may have had its effect before it died; the next attempt carries the same key
(handlers pass it to the receiver: Idempotency-Key, X-Egov-Message-Id) so that the receiver can
tell.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import router, transaction
from django.db.models import Count, Min, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django_tasks import task

from egov.core.models import OutboxMessage
from egov.core.services import audit

logger = logging.getLogger(__name__)

State = OutboxMessage.State
# A task that starts a little before the row's time (another machine's clock) still runs it.
EARLY = dt.timedelta(seconds=5)


class Failure(Exception):  # noqa: N818 - what a handler raises: the attempt failed
    """The attempt failed with ``error``; ``permanent``: the receiver refused, do not retry."""

    def __init__(self, error: str, *, permanent: bool = False):
        super().__init__(error)
        self.error = error
        self.permanent = permanent


def exponential(base: dt.timedelta, *, most: dt.timedelta | None = None):
    """``base``, twice that, four times ... after the 1st, 2nd, 3rd failed attempt."""

    def delay(attempts: int) -> dt.timedelta:
        step = base * 2 ** max(attempts - 1, 0)
        return min(step, most) if most is not None else step

    return delay


@dataclass(frozen=True)
class Kind:
    name: str
    send: Callable[..., Any]
    max_attempts: int
    backoff: Callable[[int], dt.timedelta]
    recorded: Callable[[OutboxMessage, Any, str], None] | None = None


_kinds: dict[str, Kind] = {}


def register(
    name: str,
    send: Callable[..., Any],
    *,
    max_attempts: int,
    backoff: Callable[[int], dt.timedelta],
    recorded: Callable[[OutboxMessage, Any, str], None] | None = None,
) -> None:
    """Register the handler of one kind (from its app's ``AppConfig.ready``)."""
    _kinds[name] = Kind(name, send, max_attempts, backoff, recorded)


def kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"no outbox handler registered for kind {name!r}") from None


def add(name: str, payload: dict, *, key: str, run_after: dt.datetime | None = None):
    """One row for ``(name, key)`` in the caller's transaction, its task enqueued after commit;
    the existing row (and no new task) when the key was added before."""
    kind(name)
    now = timezone.now()
    message = OutboxMessage(
        kind=name, key=key, payload=payload, next_attempt_at=run_after or now, created_at=now
    )
    # One INSERT ... ON CONFLICT DO NOTHING (OR IGNORE on SQLite): no savepoint, no read first,
    # and a concurrent add of the same key waits for the first and then does nothing.
    opts = OutboxMessage._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    [row] = OutboxMessage._base_manager._insert(
        [message],
        fields=fields,
        returning_fields=[opts.pk],
        using=router.db_for_write(OutboxMessage),
        on_conflict=OnConflict.IGNORE,
    )
    if row is None:
        return OutboxMessage.objects.get(kind=name, key=key)
    message.pk = row[0]
    message._state.adding = False
    pk, when = message.pk, run_after
    transaction.on_commit(lambda: enqueue(pk, when))
    return message


@task()
def run_message(message_id: int) -> str:
    """The outbox's task: one attempt at one row (see :func:`run`)."""
    return run(message_id)


def enqueue(message_id: int, run_after: dt.datetime | None = None) -> None:
    """Queue the row's task; if the queue cannot take it now, the sweep queues it later."""
    try:
        job = run_message if run_after is None else run_message.using(run_after=run_after)
        job.enqueue(message_id)
    except Exception:  # noqa: BLE001 - broker or database down: the row is safe, the sweep retries
        logger.exception("outbox: could not enqueue message %s", message_id)


def run(message_id: int, *, now: dt.datetime | None = None, early: bool = False, **options) -> str:
    """One attempt at the row if it is due and nobody holds it: ``"sent"``, ``"pending"`` (failed,
    to be retried), ``"failed"`` (for good) or ``"skipped"`` (done, held, or not due yet).
    ``early``: whether due or not (an operator's "try again now", tests); ``options`` go to the
    handler's ``send`` (tests hand it a client)."""
    now = now or timezone.now()
    claim = uuid.uuid4().hex
    lease = dt.timedelta(seconds=settings.EGOV_OUTBOX_LEASE_SECONDS)
    rows = OutboxMessage.objects.filter(pk=message_id, state=State.PENDING)
    if not early:
        # A second task for the row (the sweep's) does not run a retry before its time.
        rows = rows.filter(next_attempt_at__lte=now + EARLY)
    claimed = rows.update(state=State.RUNNING, claim=claim, leased_until=timezone.now() + lease)
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    handler = _kinds.get(message.kind)
    result, error, permanent = None, "", False
    try:
        if handler is None:
            raise Failure(f"no outbox handler registered for kind {message.kind!r}", permanent=True)
        result = handler.send(message, **options)
    except Failure as exc:
        error, permanent = exc.error or "failed", exc.permanent
    except Exception as exc:  # noqa: BLE001 - whatever the handler met, it is this attempt's error
        logger.warning("outbox: %s %s: %s", message.kind, message.key, exc, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"
    return _record(message_id, claim, result, error, permanent=permanent)


def _record(message_id, claim, result, error: str, *, permanent: bool = False) -> str:
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state != State.RUNNING or message.claim != claim:
            # The lease ran out and the sweep gave the row to another attempt: that one counts.
            logger.warning("outbox: attempt at %s outlived its lease, not recorded", message_id)
            return "skipped"
        _finish(message, result, error[:2000], permanent=permanent)
    return message.state


def _finish(message: OutboxMessage, result, error: str, *, permanent: bool = False) -> None:
    """Record an attempt on the locked row, in the caller's transaction."""
    handler = _kinds.get(message.kind) or Kind(message.kind, None, 1, exponential(dt.timedelta()))
    now = timezone.now()
    message.attempts += 1
    message.last_error = error
    message.claim = ""
    message.leased_until = None
    if not error:
        message.state = State.SENT
        message.sent_at = now
    elif permanent or message.attempts >= handler.max_attempts:
        message.state = State.FAILED
    else:
        message.state = State.PENDING
        message.next_attempt_at = now + handler.backoff(message.attempts)
        pk, when = message.pk, message.next_attempt_at
        transaction.on_commit(lambda: enqueue(pk, when))
    message.save()
    if handler.recorded is not None:
        handler.recorded(message, result, error)


LOST = "lost: the worker stopped during the attempt (its lease ran out)"


def sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Queue again the rows whose task is lost; returns how many.

    RUNNING past its lease: the attempt is counted as failed (a message that kills its worker
    does not loop forever) and retried after the kind's backoff, or failed after the last one.
    PENDING more than a lease past its time: a new task now (``next_attempt_at`` moves to now,
    so the next sweep leaves it a lease to be picked up)."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.EGOV_OUTBOX_LEASE_SECONDS)
    count = 0
    expired = OutboxMessage.objects.filter(state=State.RUNNING, leased_until__lt=now)
    for pk in expired.values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update()
                .filter(pk=pk, state=State.RUNNING, leased_until__lt=now)
                .first()
            )
            if message is None:
                continue
            claim = message.claim
            _finish(message, None, LOST)
            audit.record(
                actor="system",
                action="outbox.lease_expired",
                obj=message,
                summary={
                    "kind": message.kind,
                    "key": message.key,
                    "claim": claim,
                    "attempts": message.attempts,
                    "state": message.state,
                },
            )
        count += 1
    lost = OutboxMessage.objects.filter(state=State.PENDING, next_attempt_at__lt=now - lease)
    for pk in lost.values_list("pk", flat=True)[:limit]:
        moved = OutboxMessage.objects.filter(
            pk=pk, state=State.PENDING, next_attempt_at__lt=now - lease
        ).update(next_attempt_at=now)
        if moved:
            enqueue(pk)
            count += 1
    if count:
        logger.warning("outbox: %d message(s) queued again by the sweep", count)
    return count


def stale(*, now: dt.datetime | None = None) -> dict:
    """What /healthz reports: rows due (or whose lease ended) more than
    ``EGOV_TASK_STALE_SECONDS`` ago and still not done; the oldest's age in seconds."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.EGOV_TASK_STALE_SECONDS)
    late = Q(state=State.PENDING, next_attempt_at__lt=cutoff) | Q(
        state=State.RUNNING, leased_until__lt=cutoff
    )
    found = OutboxMessage.objects.filter(late).aggregate(
        due=Min("next_attempt_at", filter=Q(state=State.PENDING)),
        lease=Min("leased_until", filter=Q(state=State.RUNNING)),
        count=Count("pk"),
    )
    oldest = min((t for t in (found["due"], found["lease"]) if t is not None), default=None)
    return {
        "stale": found["count"],
        "oldest_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }
