"""Scenario ``petitions`` (issue 16): submissions per second and the public list's p95.

The platform as in production (gunicorn, production settings, demo data) plus
``$BENCH_PETITIONS`` published petitions (100,000, also with --quick), bulk-inserted by this
scenario's own setup into its own database: a fresh SQLite file, or, with a PostgreSQL
``DATABASE_URL``, a database named for this run on that server, dropped at the end.

- Submissions: ``POST /api/v1/petitions/`` (the API's submit) as one e-ID citizen, through the
  whole stack (session authentication with its CSRF check, validation, the code drawn, clocks,
  audit row, e-mail queued). The session is made by the setup as the e-ID login leaves it
  (the OpenID Connect flow itself is not driven); 4 processes, one connection per request.
- The public list: ``/petitions/`` without and with a search term, loaded in turn by the Python
  generator (p95 needs each request's latency); p95 over both together.

The baseline is the same server's hello-world view (wrk), as for every scenario;
``ratio_to_baseline`` is submissions/s over its requests/s. Target: list p95 < 50 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import tempfile
import time
from functools import partial
from pathlib import Path
from urllib.parse import quote_plus, urlsplit, urlunsplit

from bench import harness

NAME = "petitions"
P95_TARGET_MS = 50.0
PROCESSES = 4
LIST_PATHS = ["/petitions/", "/petitions/?q=" + quote_plus("ngập nước")]
SUBMIT_PATH = "/api/v1/petitions/"
CLI_TIMEOUT = 1800

SETUP = r"""
import json, secrets
from datetime import timedelta
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection, transaction
from django.utils import timezone
from egov.accounts.models import Citizen
from egov.accounts.services.citizens import SESSION_CITIZEN, SESSION_LEVEL
from egov.core.models import Organisation
from egov.core.text import fold
from egov.petitions.models import Petition
from egov.petitions.services._common import centre

COUNT = %(count)d
SUBJECTS = ["Đường ngập nước sau mưa", "Đèn đường hỏng", "Rác thải không được thu gom",
            "Thủ tục cấp giấy phép xây dựng chậm", "Tiếng ồn công trình ban đêm",
            "Cán bộ hướng dẫn chưa rõ", "Hồ sơ đất đai quá hạn", "Nước sinh hoạt bị đục"]
ANSWERS = ["Đã chỉ đạo xử lý.", "Đã kiểm tra và khắc phục.", "Đã hướng dẫn công dân."]
user = get_user_model().objects.create_user("bench_citizen", password=None)
citizen = Citizen.objects.create(user=user, issuer="https://id.example", subject="bench",
    personal_id_number="001099000001", full_name="Nguyễn Văn Bench", email="bench@example.vn")
home = centre()
answering = list(Organisation.objects.filter(level="commune").order_by("pk")[:50]) or [home]
now = timezone.now()
batch = []
for i in range(COUNT):
    title = SUBJECTS[i %% len(SUBJECTS)] + " tại khu phố %%d" %% (i %% 997)
    content = "Kính gửi cơ quan chức năng, phản ánh số %%d: %%s." %% (i, title.lower())
    answer = ANSWERS[i %% len(ANSWERS)]
    at = now - timedelta(days=400) + timedelta(seconds=300 * i / max(COUNT / 100_000, 1))
    org = answering[i %% len(answering)]
    batch.append(Petition(
        code="PAKN-2000-%%07d" %% (i + 1), title=title, content=content,
        category=("regulations", "procedures", "conduct")[i %% 3],
        submitter=citizen, submitter_kind="citizen", submitter_name=citizen.full_name,
        submitter_id_number=citizen.personal_id_number, publish_name=bool(i %% 2),
        centre=home, organisation=org, status=9,
        received_at=at, refuse_due_at=at, supplement_due_at=at, clock_started_at=at,
        answer_text=answer, answered_by=org, answered_at=at, answered_late=False,
        published_at=at, search_text=fold(" ".join([title, content, answer]))))
    if len(batch) == 5000:
        Petition.objects.bulk_create(batch); batch = []
if batch:
    Petition.objects.bulk_create(batch)
connection.cursor().execute("ANALYZE")
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[SESSION_LEVEL] = 1
store[SESSION_CITIZEN] = citizen.pk
store.create()
print(json.dumps({"session": store.session_key, "session_cookie": settings.SESSION_COOKIE_NAME,
                  "csrf_cookie": settings.CSRF_COOKIE_NAME,
                  "published": Petition.objects.filter(status=9).count()}))
"""


def _fresh_postgres(url: str) -> tuple[str, str]:
    """A database named for this run on the server of ``url``: (its URL, its name)."""
    import psycopg

    name = f"egov_bench_petitions_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path="/" + name)), name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def auth_headers(session: dict) -> dict[str, str]:
    """Cookie and CSRF header of the citizen's session (Django compares cookie and header)."""
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    return {
        "Cookie": f"{session['session_cookie']}={session['session']}; "
        f"{session['csrf_cookie']}={token}",
        "X-CSRFToken": token,
        "Content-Type": "application/json",
        "Accept-Language": "vi",
    }


def post_petition(host: str, port: int, headers: dict[str, str], number: int) -> int:
    """One submission through the API; its HTTP status (0 when the connection failed)."""
    body = json.dumps(
        {
            "title": f"Bench: cống thoát nước số {number} bị tắc",
            "content": "Nước thải tràn ra đường mỗi khi mưa, đề nghị xử lý.",
            "category": "regulations",
        }
    ).encode()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("POST", SUBMIT_PATH, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def measure_submissions(server, headers, warmup: float, duration: float) -> dict:
    figures = harness.post_in_processes(
        partial(post_petition, server.host, server.port, headers),
        warmup=warmup,
        duration=duration,
        processes=PROCESSES,
    )
    return {
        "submissions_per_s": figures["per_s"],
        "answers": figures["answers"],
        "errors": figures["errors"],
    }


def _p(ordered: list[float], q: float) -> float | None:
    return round(harness.percentile(ordered, q) * 1000, 3) if ordered else None


def main(quick: bool) -> dict:
    count = int(os.environ.get("BENCH_PETITIONS", "100000"))
    warmup, duration = harness.durations(quick)
    with tempfile.TemporaryDirectory(prefix="egov-bench-petitions-") as tmp:
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
    session = json.loads(out.strip().splitlines()[-1])
    harness.log(f"{NAME}: {session['published']:,} published in {time.monotonic() - started:.0f} s")
    headers = auth_headers(session)
    extra = {k: env[k] for k in ("DATABASE_URL", "EGOV_VAR_DIR", "EGOV_SECRET_KEY")}
    with harness.running_server(extra_env=extra, prepare=False) as server:
        server.check(*LIST_PATHS)
        if post_petition(server.host, server.port, headers, -1) != 201:
            raise harness.BenchError(f"POST {SUBMIT_PATH} failed:\n" + server.log_tail())
        baseline = harness.run_baseline(quick, server)
        lists, latencies = {}, []
        for path in LIST_PATHS:
            result = harness.measure(server, path, warmup=warmup, duration=duration)
            own = sorted(result.latencies)
            latencies.extend(own)
            lists[path] = {**result.figures(), "p95_ms": _p(own, 95)}
            harness.log(f"{NAME}: {path}: {lists[path]['rps']} req/s, p95 {_p(own, 95)} ms")
        # One connection: the page's own time, without queueing behind the 7 others.
        single = []
        for path in LIST_PATHS:
            result = harness.measure(
                server, path, warmup=0.2, duration=duration / 2, processes=1, connections=1
            )
            single.extend(result.latencies)
        single.sort()
        submissions = measure_submissions(server, headers, warmup, duration)
        harness.log(f"{NAME}: {submissions}")
        database, workers = server.database, server.workers
    ordered = sorted(latencies)
    p95 = _p(ordered, 95)
    per_s = submissions["submissions_per_s"]
    return {
        "scenario": NAME,
        "database": database,
        "published_petitions": session["published"],
        "public_list": {"p50_ms": _p(ordered, 50), "p99_ms": _p(ordered, 99), "paths": lists},
        "public_list_single_connection": {"p50_ms": _p(single, 50), "p95_ms": _p(single, 95)},
        "submissions": submissions,
        "p95_target_ms": P95_TARGET_MS,
        "p95_within_target": bool(p95 is not None and p95 < P95_TARGET_MS),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "config": {
            "workers": workers,
            "load_generator": "python (list: harness.measure; submit: http.client, 4 processes)",
            "baseline_load_generator": "wrk",
            "submit": f"POST {SUBMIT_PATH} as one e-ID citizen (session + CSRF)",
            "warmup_s": warmup,
            "duration_s": duration,
            "cpus": os.cpu_count(),
            "quick": quick,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "submissions_per_s": per_s,
        "public_list_p95_ms": p95,
        "ratio_to_baseline": round(per_s / baseline["rps"], 4) if baseline.get("rps") else None,
    }
