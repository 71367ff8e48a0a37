"""Background tasks of the dossiers app (Django's task API)."""

from django_tasks import task

from egov.dossiers.services import notifications


@task()
def send_outbox_message(message_id: int) -> str:
    """Send one e-mail of the outbox (enqueued after the change's commit)."""
    return notifications.send(message_id)


@task()
def send_pending_outbox() -> int:
    """Send the outbox messages still pending (after an outage of the mail server)."""
    return notifications.send_pending()
