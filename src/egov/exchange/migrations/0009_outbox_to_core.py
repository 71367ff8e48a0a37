"""The webhook pushes and relays move from exchange_outboxmessage to the core outbox, as they
were: kind "exchange.<kind>" (package, status, recall, relay, relay_status), the same key (the
Idempotency-Key receivers saw), pending ones stay pending (the worker's sweep queues them: their
old tasks named a function that is gone), sent and failed ones are kept for the record."""

from django.db import migrations

STATUS_KINDS = {"status", "relay_status"}


def payload(old) -> dict:
    data = {"delivery": old.delivery_id, "package": old.delivery.package_id, "url": old.url}
    if old.kind in STATUS_KINDS:  # key "status:<id>" or "relay_status:<id>[:<n>]"
        data["status"] = int(old.key.split(":")[1])
    return data


def forward(apps, schema_editor):
    Old = apps.get_model("exchange", "OutboxMessage")
    New = apps.get_model("core", "OutboxMessage")
    rows = []
    for old in Old.objects.select_related("delivery").order_by("pk").iterator(chunk_size=1000):
        rows.append(
            New(
                kind=f"exchange.{old.kind}",
                key=old.key,
                payload=payload(old),
                state=old.state,
                attempts=old.attempts,
                next_attempt_at=old.next_attempt_at,
                last_error=old.last_error,
                created_at=old.created_at,
                sent_at=old.sent_at,
            )
        )
        if len(rows) == 1000:
            New.objects.bulk_create(rows)
            rows = []
    New.objects.bulk_create(rows)


def backward(apps, schema_editor):
    Old = apps.get_model("exchange", "OutboxMessage")
    New = apps.get_model("core", "OutboxMessage")
    moved = New.objects.filter(kind__startswith="exchange.")
    for new in moved.order_by("pk").iterator():
        Old.objects.create(
            key=new.key,
            delivery_id=new.payload["delivery"],
            kind=new.kind.removeprefix("exchange."),
            url=new.payload.get("url", ""),
            state="pending" if new.state == "running" else new.state,
            attempts=new.attempts,
            next_attempt_at=new.next_attempt_at,
            last_error=new.last_error,
            created_at=new.created_at,
            sent_at=new.sent_at,
        )
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox"),
        ("exchange", "0008_webhook_secret_previous"),
    ]

    operations = [migrations.RunPython(forward, backward)]
