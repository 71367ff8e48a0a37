"""Background tasks of the exchange: webhook pushes (after commit, retried with backoff)."""

from django_tasks import task

from egov.exchange.services import outbox


@task()
def push(message_id: int) -> str | None:
    return outbox.send(message_id)
