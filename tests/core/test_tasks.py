import datetime as dt
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from egov.core import tasks
from egov.core.services import audit


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_queued_task():
    with transaction.atomic():
        audit.record(actor="system", action="test", object_type="t")
    result = tasks.verify_audit_chain.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
    call_command("worker", batch=True, verbosity=0)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == {"rows": 1, "ok": True, "problem": None}


@pytest.mark.django_db
def test_healthz_fails_when_queued_work_is_not_picked_up(client):
    result = tasks.verify_audit_chain.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(hours=1)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == {"ok": False, "ready": 1, "stale": 1}


def test_egov_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "egov.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("serve", "worker", "migrate", "load-demo", "audit", "calendar", "bench"):
        assert f"\n  {command} " in out
