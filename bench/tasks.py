"""Scenario ``tasks`` (issue 20): the assigned tasks' report page at 100,000 tasks.

The platform as in production (gunicorn, production settings, demo data: 17 ministries and
ministry-level agencies, 34 provinces) plus ``$BENCH_TASKS`` tasks (100,000, also with --quick)
bulk-inserted by this scenario's setup across every ministry and province, in every category
(done on time, late, within deadline, overdue, ongoing, withdrawn), a third with a coordinating
organisation, into its own database: a fresh SQLite file, or, with a PostgreSQL
``DATABASE_URL``, a database named for this run on that server, dropped at the end.

- The report page, ``/assignments/report/`` (the four categories and ongoing for every lead
  organisation, each share with its denominator), as the Government Office's demo official
  made by the setup, who reads every task. The session is made by the setup as the officials' login
  leaves it (password and second factor; the login itself is not driven).
- First eight cold requests, one at a time (each a cache miss: the page's rows are cached per
  reader and filters until a task changes, views.py ``_cached``); then loaded by the Python
  generator (p95 needs each request's latency) with the harness's processes and connections;
  then on one connection (no queueing). The loaded runs are served from the cache.

The baseline is the same server's hello-world view (wrk), as for every scenario;
``ratio_to_baseline`` is the report page's requests/s over its requests/s. Target: p95 < 200 ms.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import harness
from bench.petitions import _drop_postgres

NAME = "tasks"
P95_TARGET_MS = 200.0
REPORT_PATH = "/assignments/report/"
CLI_TIMEOUT = 1800
# The report for every organisation against either deadline, for every task and per origin:
# eight first requests, each a cache miss.
COLD_PATHS = [
    f"{REPORT_PATH}?by=organisation&basis={basis}&origin={origin}"
    for basis in ("current", "original")
    for origin in ("", "manual", "cabinet", "incoming")
]

SETUP = r"""
import json, random, secrets
from datetime import timedelta
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, transaction
from django.utils import timezone
from egov.accounts.services import officials as official_services
from egov.accounts.services.login import SESSION_FLAG
from egov.assignments.models import Assignment
from egov.assignments.status import due_day
from egov.core.calendar import WorkingCalendar
from egov.core.models import Organisation

COUNT = %(count)d
rng = random.Random(20)
office = Organisation.objects.get(code=settings.EGOV_INSTANCE_ORG_CODE)
leads = list(Organisation.objects.filter(level__in=("central", "province"), valid_to__isnull=True)
             .exclude(pk=office.pk).order_by("code"))
is_working_day = WorkingCalendar.for_organisation(None).is_working_day
today = timezone.localdate()
CONTENTS = ["Hoàn thiện dự thảo Nghị định", "Rà soát thủ tục hành chính", "Báo cáo giải ngân",
            "Triển khai cơ sở dữ liệu", "Xây dựng đề án", "Kiểm tra thực hiện chính sách"]
Through = Assignment.coordinators.through
batch, made = [], 0
def flush():
    global batch
    created = Assignment.objects.bulk_create(batch)
    links = [Through(assignment_id=a.pk, organisation_id=leads[(a.lead_id + 7) %% len(leads)].pk)
             for a in created if a.pk %% 3 == 0]
    Through.objects.bulk_create(links)
    batch = []
for i in range(COUNT):
    assigned = today - timedelta(days=rng.randrange(0, 730))
    kind = "ongoing" if i %% 10 == 0 else "date"
    deadline = None if kind == "ongoing" else assigned + timedelta(days=rng.randrange(5, 240))
    due = due_day(deadline, is_working_day)
    extended = deadline is not None and i %% 17 == 0
    current = deadline + timedelta(days=30) if extended else deadline
    done = None
    if deadline is not None and rng.random() < 0.7 and assigned + timedelta(days=5) <= today:
        done = min(today, assigned + timedelta(days=rng.randrange(3, 300)))
    withdrawn = timezone.now() if i %% 97 == 0 else None
    batch.append(Assignment(
        source_number="%%d/NQ-CP" %% (i %% 500 + 1), source_date=assigned, source_type="NQ",
        source_signer="Thủ tướng Chính phủ", origin=("manual", "cabinet", "incoming")[i %% 3],
        content=CONTENTS[i %% len(CONTENTS)], is_key=i %% 8 == 0, assigner=office,
        lead=leads[i %% len(leads)], deadline_kind=kind, deadline=current,
        due_on=due_day(current, is_working_day), original_deadline=deadline,
        original_due_on=due, stage=4 if withdrawn else (3 if done else 1), assigned_on=assigned,
        completed_at=timezone.now() if done else None, completed_on=done,
        withdrawn_at=withdrawn, withdrawal_reason="Bench" if withdrawn else "",
        withdrawal_decision="1/QĐ-TTg" if withdrawn else ""))
    if len(batch) == 5000:
        flush()
if batch:
    flush()
connection.cursor().execute("ANALYZE")
# Production settings load no demo officials: the Government Office's reader is made here.
official = official_services.create_official(username="bench_vpcp",
    password=secrets.token_urlsafe(24), organisation=office, actor="system",
    first_name="Bench", last_name="VPCP")
official_services.assign_role(official, "clerk", office, actor="system")
user = official.user
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[SESSION_FLAG] = "password+totp"
store.create()
print(json.dumps({"session": store.session_key, "session_cookie": settings.SESSION_COOKIE_NAME,
                  "tasks": Assignment.objects.count(), "leads": len(leads)}))
"""


def _fresh_postgres(url: str) -> tuple[str, str]:
    """A database named for this run on the server of ``url``: (its URL, its name)."""
    import psycopg

    name = f"egov_bench_tasks_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path="/" + name)), name


def _p(ordered: list[float], q: float) -> float | None:
    return round(harness.percentile(ordered, q) * 1000, 3) if ordered else None


def main(quick: bool) -> dict:
    count = int(os.environ.get("BENCH_TASKS", "100000"))
    warmup, duration = harness.durations(quick)
    with tempfile.TemporaryDirectory(prefix="egov-bench-tasks-") as tmp:
        workdir = Path(tmp)
        env = harness.production_env(workdir)
        admin_url, db_name = env["DATABASE_URL"], None
        if admin_url.startswith(("postgres", "pgsql")):
            env["DATABASE_URL"], db_name = _fresh_postgres(admin_url)
        try:
            return _run(quick, count, warmup, duration, workdir, env)
        finally:
            if db_name:
                _drop_postgres(admin_url, db_name)
                harness.log(f"{NAME}: dropped database {db_name}")


def _run(quick, count, warmup, duration, workdir, env) -> dict:
    for args in (["migrate", "--noinput"], ["load-demo"], ["collectstatic", "--noinput"]):
        harness.run_egov([*args, "--verbosity", "0"], env, workdir, timeout=CLI_TIMEOUT)
    started = time.monotonic()
    out = harness.run_egov(["shell", "-c", SETUP % {"count": count}], env, workdir, timeout=3600)
    setup = json.loads(out.strip().splitlines()[-1])
    harness.log(
        f"{NAME}: {setup['tasks']:,} tasks across {setup['leads']} ministries and provinces "
        f"in {time.monotonic() - started:.0f} s"
    )
    headers = {
        "Cookie": f"{setup['session_cookie']}={setup['session']}",
        "Accept-Language": "vi",
    }
    extra = {k: env[k] for k in ("DATABASE_URL", "EGOV_VAR_DIR", "EGOV_SECRET_KEY")}
    with harness.running_server(extra_env=extra, prepare=False) as server:
        # Cold: each variant's first request counts the 100,000 tasks (the cache is keyed by
        # the reader, the filters and the latest change; REPORT_PATH has the first variant's
        # key): the runs below are served from it.
        cold = []
        for path in COLD_PATHS:
            began = time.perf_counter()
            status, _ = server.get(path, headers)
            cold.append(time.perf_counter() - began)
            if status != 200:
                raise harness.BenchError(f"GET {path} answered {status}:\n" + server.log_tail())
        cold.sort()
        harness.log(f"{NAME}: cold report {[round(c * 1000) for c in cold]} ms")
        server.check(REPORT_PATH, headers=headers)
        baseline = harness.run_baseline(quick, server)
        loaded = harness.measure(
            server, REPORT_PATH, warmup=warmup, duration=duration, headers=headers
        )
        figures = loaded.figures()
        harness.log(f"{NAME}: {REPORT_PATH}: {figures['rps']} req/s, p95 {figures.get('p95_ms')}")
        single = harness.measure(
            server,
            REPORT_PATH,
            warmup=0.5,
            duration=duration,
            processes=1,
            connections=1,
            headers=headers,
        )
        database, workers = server.database, server.workers
    ordered, alone = sorted(loaded.latencies), sorted(single.latencies)
    p95 = _p(ordered, 95)
    return {
        "scenario": NAME,
        "database": database,
        "report": {**figures, "p50_ms": _p(ordered, 50), "p95_ms": p95, "p99_ms": _p(ordered, 99)},
        "report_single_connection": {
            "rps": single.figures()["rps"],
            "p50_ms": _p(alone, 50),
            "p95_ms": _p(alone, 95),
        },
        "report_cold": {
            "paths": COLD_PATHS,
            "p50_ms": _p(cold, 50),
            "max_ms": round(cold[-1] * 1000, 3),
        },
        "p95_target_ms": P95_TARGET_MS,
        "p95_within_target": bool(p95 is not None and p95 < P95_TARGET_MS),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "config": {
            "workers": workers,
            "load_generator": "python (harness.measure)",
            "baseline_load_generator": "wrk",
            "warmup_s": warmup,
            "duration_s": duration,
            "cpus": os.cpu_count(),
            "quick": quick,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "tasks": setup["tasks"],
        "report_p95_ms": p95,
        "ratio_to_baseline": harness.ratio_to_baseline(figures, baseline),
    }
