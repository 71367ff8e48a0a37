"""A provincial egov (this process) and a national egov (gunicorn, its own SQLite database) over
HTTP: the national one is killed in the middle of a burst of 1,000 dossier changes (once just
after it stored a call whose answer never came back) and started again; the national side ends
with exactly the provincial state, each progress record once. The rows still due after the
restart go out in reverse order."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.core.models import OutboxMessage
from egov.core.services import outbox
from egov.dossiers import services
from egov.dossiers.models import Dossier, ProgressRecord
from egov.sync.services import client as national_client

from ..dossiers.core_support import walk_in
from .support import make_sync_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.outbox,
    # About a minute per 100 changes on a loaded 2-core machine: 1,000 take several.
    pytest.mark.timeout(2400),
]

CHANGES = int(os.environ.get("SYNC_TEST_CHANGES", "1000"))
KILL_AT = CHANGES * 2 // 5  # the service call after which the national side dies

SETUP = """
import json, django
django.setup()
from egov.accounts.services import clients
from egov.core.services import organisations as o
from egov.core.services.organisations import OrganisationData as D
p = o.create_organisation(D(%(p)r, "Tỉnh P", "province"))
c = clients.create_client(name="P", organisations=[p], scopes=["sync.ingest"], actor="test")
print(json.dumps([c.client_id, clients.add_secret(c, actor="test")[1]]))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class National:
    def __init__(self, work: Path):
        self.work = work
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_"))},
            "EGOV_ENV": "test",
            "DATABASE_URL": f"sqlite:///{work / 'national.sqlite3'}",
            "EGOV_VAR_DIR": str(work / "var"),
            "EGOV_PKI_DIR": str(work / "pki"),
            "EGOV_PKI_AUTO_CREATE": "1",
            "EGOV_OIDC_PROVIDER": "off",
            "EGOV_SYNC_ROLE": "national",
            # The catch-up after the restart sends hundreds of calls a minute from one address.
            "EGOV_SYNC_RATE": "100000/min",
        }
        self.process = None
        self.url = ""

    def run(self, *argv, **kwargs):
        return subprocess.run(
            [sys.executable, *argv], env=self.env, cwd=self.work, check=True, **kwargs
        )

    def start(self) -> str:
        port = _free_port()
        self.log = open(self.work / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "egov.wsgi:application",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
            ],
            env=self.env,
            cwd=self.work,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code < 500:
                    return self.url
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((self.work / "server.log").read_text()[-3000:])
            time.sleep(0.1)

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 9)  # its own session: the master and its workers
            self.process.wait(10)
        self.log.close()

    def rows(self, sql, *args):
        with sqlite3.connect(self.work / "national.sqlite3") as db:
            return db.execute(sql, args).fetchall()


class KillingTransport(httpx.HTTPTransport):
    """The network, but at the KILL_AT-th service call the national side stores the call and
    dies before answering."""

    def __init__(self, national: National):
        super().__init__()
        self.national, self.calls = national, 0

    def handle_request(self, request):
        if request.url.path.endswith("/service"):
            self.calls += 1
            if self.calls == KILL_AT:
                response = super().handle_request(request)
                response.read()
                self.national.kill()
                raise httpx.ReadError("the national side died before answering")
        return super().handle_request(request)


@pytest.fixture
def national(tmp_path):
    side = National(tmp_path)
    side.run("-m", "egov.cli", "migrate", "--noinput", "-v0")
    yield side
    side.kill()


def drain():
    call_command("worker", batch=True, verbosity=0)


def test_the_national_side_killed_mid_burst_ends_equal(settings, national, monkeypatch):
    w = make_sync_world(settings)
    made = national.run("-c", SETUP % {"p": w.p.code}, capture_output=True)
    settings.EGOV_SYNC_USERNAME, settings.EGOV_SYNC_PASSWORD = json.loads(
        made.stdout.decode().strip().splitlines()[-1]
    )
    settings.EGOV_SYNC_NATIONAL_URL = national.start()
    transport = KillingTransport(national)
    monkeypatch.setattr(national_client, "TRANSPORT", transport)

    # The burst: acts on dossiers, the outbox drained every 100 acts, the national side dying
    # part way through.
    dossiers = []
    while ProgressRecord.objects.count() < CHANGES:
        d = walk_in(w)
        d = services.start_processing(d, actor=w.desk.user, assignee=w.processor)
        dossiers.append(d)
        if len(dossiers) % 30 == 0:
            drain()
    drain()
    assert transport.calls >= KILL_AT, "the national side was never killed"
    due = OutboxMessage.objects.filter(kind="sync.dossier", state="pending")
    assert due.exists() and not OutboxMessage.objects.filter(state="failed").exists()

    # Started again; what was due goes now, the newest first.
    settings.EGOV_SYNC_NATIONAL_URL = national.start()
    monkeypatch.setattr(national_client, "TRANSPORT", None)
    past = timezone.now() - dt.timedelta(seconds=1)
    for pk in due.order_by("-pk").values_list("pk", flat=True):
        # A fresh national side on SQLite with two workers may answer one call busy: a row
        # retries, as the worker would after its backoff; three tries, then the reason.
        for _attempt in range(3):
            OutboxMessage.objects.filter(pk=pk).update(next_attempt_at=past)
            if outbox.run(pk) == "sent":
                break
        else:
            row = OutboxMessage.objects.get(pk=pk)
            raise AssertionError(f"row {pk} not sent: {row.last_error}")
    drain()
    assert set(
        OutboxMessage.objects.filter(kind="sync.dossier").values_list("state", flat=True)
    ) == {"sent"}

    here = {
        d.code: (d.status, d.progress.count(), d.progress.order_by("-pk")[0].pk)
        for d in Dossier.objects.all()
    }
    there_rows = national.rows(
        "select d.code, d.status, count(p.id), d.version from sync_nationaldossier d "
        "left join sync_nationalprogress p on p.dossier_id = d.id group by d.id"
    )
    there = {code: (status, count, version) for code, status, count, version in there_rows}
    assert len(there_rows) == len(here) and there == here
    assert sum(count for _, count, _ in here.values()) >= CHANGES
