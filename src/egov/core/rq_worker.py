"""The RQ worker that ``egov worker`` runs when the task queue is on Redis (EGOV_TASKS=rq)."""

from __future__ import annotations

from rq.worker import SimpleWorker


class Worker(SimpleWorker):
    """RQ's SimpleWorker: each task runs in the worker's own process, as with the database
    backend (no fork per task, so database connections and psycopg's pool are never shared with
    a child), with a bounded wait when it stops."""

    def unsubscribe(self):
        # rq stops its command listener (a pub/sub thread that sleeps up to 60 s in get_message)
        # with redis-py's PubSubWorkerThread.stop(), which since redis-py 8 waits for the thread
        # without a limit: every burst run and every shutdown took up to a minute. The thread is
        # a daemon and only listens for rq's stop/kill commands, so one second is enough.
        if self.pubsub_thread:
            self.pubsub.unsubscribe()
            self.pubsub_thread.stop(timeout=1)
            self.pubsub.close()
