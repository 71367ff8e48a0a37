"""Background tasks of the core app (Django's task API, database backend).

The outbox's task, :func:`egov.core.services.outbox.run_message`, lives with the outbox (it
enqueues itself for retries); the worker also sweeps the outbox (:func:`sweep_outbox`) and the
files no row references (:func:`sweep_orphan_files`).
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django_tasks import task

from egov.core.services import audit, orphans, outbox

logger = logging.getLogger(__name__)


@task()
def verify_audit_chain() -> dict:
    """Walk the audit chain off the request path; the result is kept with the task."""
    verdict = audit.verify()
    if verdict.problem is not None:
        logger.error("audit chain broken: %s", verdict.problem)
    problem = str(verdict.problem) if verdict.problem else None
    return {"rows": verdict.length, "ok": verdict.intact, "problem": problem}


def sweep_outbox() -> int:
    """One sweep of the outbox (rows whose task was lost are queued again); never raises."""
    try:
        return outbox.sweep()
    except Exception:  # noqa: BLE001 - a locked or unreachable database: the next sweep retries
        logger.exception("outbox sweep failed")
        return 0
    finally:
        close_old_connections()


def sweep_orphan_files() -> int:
    """One sweep of the files no row references (egov.core.services.orphans); never raises."""
    try:
        return len(orphans.sweep().removed)
    except Exception:  # noqa: BLE001 - the next sweep retries
        logger.exception("orphan file sweep failed")
        return 0
    finally:
        close_old_connections()


def _guarded(job):
    """One run of a periodic job the apps registered; never raises (the next run retries)."""

    def run() -> None:
        try:
            job.run()
        except Exception:  # noqa: BLE001 - logged; a failing job must not stop the worker
            logger.exception("periodic job %s failed", job.name)
        finally:
            close_old_connections()

    return run


def start_periodic_jobs(stop: threading.Event | None = None) -> list[threading.Thread]:
    """Each job of ``egov.core.registry.periodic`` now and then every its ``seconds``, in a
    daemon thread beside the long-running worker."""
    from egov.core import registry

    return [
        _every(f"periodic-{job.name}", _guarded(job), job.seconds, stop)
        for job in registry.periodic_jobs()
    ]


def _every(name: str, sweep, seconds: float, stop: threading.Event | None) -> threading.Thread:
    stop = stop or threading.Event()

    def loop() -> None:
        while True:
            sweep()
            if stop.wait(seconds):
                return

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def start_outbox_sweeper(stop: threading.Event | None = None) -> threading.Thread:
    """Sweep now and then every ``EGOV_OUTBOX_SWEEP_SECONDS`` beside the worker, in a daemon
    thread (its own database connection), until ``stop`` is set or the process ends."""
    return _every("outbox-sweep", sweep_outbox, settings.EGOV_OUTBOX_SWEEP_SECONDS, stop)


def start_file_sweeper(stop: threading.Event | None = None) -> threading.Thread:
    """The orphan files' sweep, now and every ``EGOV_FILE_SWEEP_SECONDS``, beside the worker."""
    return _every("file-sweep", sweep_orphan_files, settings.EGOV_FILE_SWEEP_SECONDS, stop)
