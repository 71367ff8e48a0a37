"""dossiers 0003: the applicant e-mails of dossiers_outboxmessage move to the core outbox as they
were (pending ones stay pending and are sent by the worker), and back when unapplied."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from egov.core.models import OutboxMessage

BEFORE = [("dossiers", "0002_form_issued_once"), ("core", "0003_outbox")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_dossier_outbox_moves_to_the_core_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    apps = migrate(BEFORE)
    Old = apps.get_model("dossiers", "OutboxMessage")
    created = timezone.now() - dt.timedelta(days=1)
    common = {"event": "status.2", "recipient": "an@example.vn"}
    Old.objects.create(idempotency_key="1:progress:1", subject="S1", body="B1", **common)
    Old.objects.create(
        idempotency_key="1:progress:2",
        subject="S2",
        body="B2",
        state="sent",
        attempts=1,
        sent_at=created,
        **common,
    )
    Old.objects.create(
        idempotency_key="1:progress:3",
        subject="S3",
        body="B3",
        state="failed",
        attempts=5,
        last_error="SMTPConnectError",
        next_attempt_at=created,
        **common,
    )
    Old.objects.update(created_at=created)  # auto_now_add
    migrate(latest)

    rows = {m.key: m for m in OutboxMessage.objects.filter(kind="dossiers.email")}
    assert {k: (m.state, m.attempts) for k, m in rows.items()} == {
        "1:progress:1": ("pending", 0),
        "1:progress:2": ("sent", 1),
        "1:progress:3": ("failed", 5),
    }
    pending = rows["1:progress:1"]
    assert pending.payload == {
        "dossier": None,
        "event": "status.2",
        "recipient": "an@example.vn",
        "subject": "S1",
        "body": "B1",
    }
    assert pending.next_attempt_at == created and rows["1:progress:3"].last_error
    # The worker's sweep queues the pending one (its old task is gone) and it is sent.
    call_command("worker", batch=True, verbosity=0)
    assert [(m.subject, m.to) for m in mail.outbox] == [("S1", ["an@example.vn"])]
    assert OutboxMessage.objects.get(pk=pending.pk).state == "sent"

    # Unapplied: back in the dossiers table.
    apps = migrate(BEFORE)
    Old = apps.get_model("dossiers", "OutboxMessage")
    assert sorted(Old.objects.values_list("idempotency_key", "state")) == [
        ("1:progress:1", "sent"),
        ("1:progress:2", "sent"),
        ("1:progress:3", "failed"),
    ]
    migrate(latest)
