import datetime as dt
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from egov.core import tasks
from egov.core.services import audit


@pytest.mark.outbox
@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_queued_task():
    with transaction.atomic():
        audit.record(actor="system", action="test", object_type="t")
    result = tasks.verify_audit_chain.enqueue()
    assert tasks.verify_audit_chain.get_result(result.id).status == TaskResultStatus.READY
    call_command("worker", batch=True, verbosity=0)
    result = tasks.verify_audit_chain.get_result(result.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"rows": 1, "ok": True, "problem": None}


def make_old(result_id: str) -> None:
    """Back-date a queued task by an hour, on whichever backend holds it."""
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    if settings.EGOV_TASKS == "rq":
        import django_rq

        job = django_rq.get_queue("default").fetch_job(result_id)
        job.enqueued_at = an_hour_ago
        job.save()
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=result_id).update(enqueued_at=an_hour_ago)


@pytest.mark.outbox
@pytest.mark.django_db
def test_healthz_fails_when_queued_work_is_not_picked_up(client):
    fresh = tasks.verify_audit_chain.enqueue()
    assert client.get("/healthz").json()["checks"]["tasks"] == {"ok": True, "ready": 1, "stale": 0}
    make_old(fresh.id)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == {"ok": False, "ready": 1, "stale": 1}


@pytest.mark.outbox
@pytest.mark.django_db
def test_healthz_does_not_count_a_task_whose_time_has_not_come(client):
    # A retry after a backoff of an hour, queued an hour ago: waiting by design, not stale.
    later = tasks.verify_audit_chain.using(run_after=timezone.now() + dt.timedelta(hours=1))
    make_old(later.enqueue().id)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["tasks"] == {"ok": True, "ready": 0, "stale": 0}


def test_egov_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "egov.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("serve", "worker", "migrate", "load-demo", "audit", "calendar", "bench"):
        assert f"\n  {command} " in out
