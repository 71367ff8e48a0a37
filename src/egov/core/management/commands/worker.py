from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from egov.core import tasks


class Command(BaseCommand):
    help = (
        "Run the background task worker of the configured queue (EGOV_TASKS: db or rq; "
        "add --batch to work off the queue and exit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument("--interval", type=float, default=1.0, help="Poll interval, seconds.")
        parser.add_argument("--queue-name", default="*", help="Queues, comma-separated; * = all.")

    def handle(self, *args, batch, interval, queue_name, **options):
        # The outbox rows whose task was lost (a killed worker) go back on the queue: once before
        # a batch, and all along beside a long-running worker.
        # Files left by a transaction that did not commit go too (egov.core.services.orphans).
        if batch:
            tasks.sweep_outbox()
            tasks.sweep_orphan_files()
        else:
            tasks.start_outbox_sweeper()
            tasks.start_file_sweeper()
            # The apps' periodic jobs (closing ballots, reminders): a long-running worker only,
            # so that `worker --batch` (the tests' drain) does only what is queued.
            tasks.start_periodic_jobs()
        if settings.EGOV_TASKS == "rq":
            queues = list(settings.RQ_QUEUES) if queue_name == "*" else queue_name.split(",")
            # RQ's worker blocks on Redis (no polling interval); its scheduler moves the tasks
            # whose run_after has come (retries with backoff) onto the queue.
            call_command(
                "rqworker",
                *queues,
                job_class="django_tasks_rq.Job",
                worker_class="egov.core.rq_worker.Worker",
                with_scheduler=True,
                burst=batch,
                verbosity=options["verbosity"],
            )
            return
        call_command(
            "db_worker",
            batch=batch,
            interval=interval,
            queue_name=queue_name,
            reload=False,
            startup_delay=False,
            verbosity=options["verbosity"],
        )
