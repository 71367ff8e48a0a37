"""Background tasks of the exchange: webhook pushes (after commit, retried with backoff)."""

from django_tasks import task

from egov.exchange.services import outbox, queue


@task()
def push(message_id: int) -> str | None:
    return outbox.send(message_id)


# The services enqueue pushes through the queue module, which does not import this one.
queue.register(push)
