"""exchange 0009: the webhook pushes and relays of exchange_outboxmessage move to the core outbox
as they were (same keys, the receivers' Idempotency-Key), and back when unapplied."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from egov.core.models import OutboxMessage
from egov.exchange.models import Mailbox
from egov.exchange.services.hub import packages, statuses
from tests.accounts.officials_support import make_official

from .conftest import make_package, signed
from .test_hub import status

BEFORE = [("exchange", "0008_webhook_secret_previous"), ("core", "0003_outbox")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def rows():
    return {
        m.key: (m.kind, m.payload, m.state, m.attempts, m.last_error)
        for m in OutboxMessage.objects.filter(kind__startswith="exchange.")
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_exchange_outbox_moves_to_the_core_outbox_and_back(orgs):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    Mailbox.objects.create(organisation=orgs.q, webhook_url="https://q.example/hook")
    Mailbox.objects.create(organisation=orgs.p, webhook_url="https://p.example/hook")
    clerk_p = make_official("clerk_p", orgs.p, "clerk").user
    clerk_q = make_official("clerk_q", orgs.q, "clerk").user
    package = packages.accept_package(
        signed(make_package(orgs.p, [orgs.q]), orgs.p), actor=clerk_p
    ).package
    answer = statuses.accept_status(status(orgs.q, package.document_id, "03"), actor=clerk_q)
    OutboxMessage.objects.filter(kind="exchange.package").update(
        state="failed", attempts=6, last_error="HTTP 503"
    )
    before = rows()
    delivery = package.deliveries.get()
    assert before == {
        f"package:{delivery.pk}": (
            "exchange.package",
            {"delivery": delivery.pk, "package": package.pk, "url": "https://q.example/hook"},
            "failed",
            6,
            "HTTP 503",
        ),
        f"status:{answer.pk}": (
            "exchange.status",
            {
                "delivery": delivery.pk,
                "package": package.pk,
                "url": "https://p.example/hook",
                "status": answer.pk,
            },
            "pending",
            0,
            "",
        ),
    }

    apps = migrate(BEFORE)
    Old = apps.get_model("exchange", "OutboxMessage")
    assert sorted(Old.objects.values_list("key", "kind", "delivery_id", "url", "state")) == [
        (f"package:{delivery.pk}", "package", delivery.pk, "https://q.example/hook", "failed"),
        (f"status:{answer.pk}", "status", delivery.pk, "https://p.example/hook", "pending"),
    ]
    assert not OutboxMessage.objects.filter(kind__startswith="exchange.").exists()

    migrate(latest)
    assert rows() == before
