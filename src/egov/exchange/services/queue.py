"""Sending an outbox row after commit, without importing the task that sends it.

The rows are written low in the exchange's stack (the hub's deliveries, the relay to the
parent hub, the outbox's own retries); the task that sends them, ``egov.exchange.tasks.push``,
sits on top of it (it calls the outbox, which reads the hub). The task module registers the
task here when it is imported (the app's ``ready()``), so that imports run one way only:
tasks → outbox → hub and relay → this module.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

_registered: dict[str, object] = {}


def register(task) -> None:
    """``task``: the django-tasks task that sends one outbox row, given its id."""
    _registered["push"] = task


def send_after_commit(message_id: int, *, when: dt.datetime | None = None) -> None:
    """Enqueue the push of the outbox row ``message_id`` once the current transaction commits
    (``when``: not to run before then)."""
    task = _registered.get("push")
    if task is None:
        raise RuntimeError("egov.exchange.tasks was not imported (the exchange app's ready())")
    if when is None:
        transaction.on_commit(lambda: task.enqueue(message_id))
    else:
        transaction.on_commit(lambda: task.using(run_after=when).enqueue(message_id))
