"""The applicant e-mails move from dossiers_outboxmessage to the core outbox (kind
"dossiers.email"), as they were: pending ones stay pending (the worker's sweep queues them, their
old tasks named a function that is gone), sent and failed ones are kept for the record."""

from django.db import migrations

KIND = "dossiers.email"


def forward(apps, schema_editor):
    Old = apps.get_model("dossiers", "OutboxMessage")
    New = apps.get_model("core", "OutboxMessage")
    rows = []
    for old in Old.objects.order_by("pk").iterator():
        rows.append(
            New(
                kind=KIND,
                key=old.idempotency_key,
                payload={
                    "dossier": old.dossier_id,
                    "event": old.event,
                    "recipient": old.recipient,
                    "subject": old.subject,
                    "body": old.body,
                },
                state=old.state,
                attempts=old.attempts,
                next_attempt_at=old.next_attempt_at or old.created_at,
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
    Old = apps.get_model("dossiers", "OutboxMessage")
    New = apps.get_model("core", "OutboxMessage")
    for new in New.objects.filter(kind=KIND).order_by("pk").iterator():
        state = "pending" if new.state == "running" else new.state
        Old.objects.create(
            dossier_id=new.payload.get("dossier"),
            idempotency_key=new.key[:64],
            event=new.payload.get("event", ""),
            recipient=new.payload.get("recipient", ""),
            subject=new.payload.get("subject", ""),
            body=new.payload.get("body", ""),
            state=state,
            attempts=new.attempts,
            last_error=new.last_error,
            next_attempt_at=new.next_attempt_at,
            created_at=new.created_at,
            sent_at=new.sent_at,
        )
    New.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox"),
        ("dossiers", "0002_form_issued_once"),
    ]

    operations = [migrations.RunPython(forward, backward)]
