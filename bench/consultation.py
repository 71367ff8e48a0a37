"""Scenario ``consultation`` (issue 21): a draft's page with its margin comments, and intake.

The platform as in production (gunicorn, production settings, demo data) plus one draft of
``$BENCH_ARTICLES`` articles (300; in 10 chapters, three clauses each, the second with two
points) made through the services (``create_draft``, ``create_consultation``, ``open_comments``)
by a drafting official of a ministry made by the setup, and ``$BENCH_COMMENTS`` published
comments on it (20,000; 2,000 with --quick), bulk-inserted through the app's models by this
scenario's setup: each on a unit of the draft (one in 50 on the whole draft), its duplicate key
as intake computes it, one in four answered (explained), by 200 e-ID citizens. The bulk rows
have no audit rows (intake writes one each); that changes no page. Its own database: a fresh
SQLite file, or, with a PostgreSQL ``DATABASE_URL``, a database named for this run on that
server, dropped at the end.

- The draft page, ``/consultation/<code>/`` (the latest version's text unit by unit with its
  published comments in the margin, and their answers), anonymous, loaded by the Python
  generator (p95 needs each latency) with the harness's 8 connections; then on one connection.
- Comment intake: ``POST /api/v1/consultation/consultations/<code>/comments/`` (the API's
  submit: session authentication with its CSRF check, the consultation's row locked, the window
  checked, the anchor found, the duplicate check, the audit row) as one e-ID citizen (the
  session the OpenID Connect callback leaves; the flow itself is not driven), 4 processes, one
  connection per request, each comment a new text on a unit; ``comments_per_s`` counts the 201s.

The baseline is the same server's hello-world view (wrk), as for every scenario;
``ratio_to_baseline`` is the draft page's requests/s over its requests/s
(``intake_ratio_to_baseline``: comments/s over it). Target: draft page p95 < 200 ms.
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
from urllib.parse import urlsplit, urlunsplit

from bench import harness
from bench.petitions import _drop_postgres, auth_headers

NAME = "consultation"
P95_TARGET_MS = 200.0
PROCESSES = 4
CLI_TIMEOUT = 1800
PAGE_PATH = "/consultation/{code}/"
SUBMIT_PATH = "/api/v1/consultation/consultations/{code}/comments/"
# Anchors the intake comments go to (clauses and points of the first articles).
INTAKE_ANCHORS = ["dieu-1.khoan-1", "dieu-2.khoan-2.diem-a", "dieu-150.khoan-3", ""]

SETUP = r"""
import json, random, secrets
from datetime import timedelta
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection
from django.utils import timezone
from egov.accounts.models import Citizen
from egov.accounts.services import officials as official_services
from egov.accounts.services.citizens import SESSION_CITIZEN, SESSION_LEVEL
from egov.consultation import services
from egov.consultation.models import (Answer, AnswerKind, AuthorKind, Comment, Moderation,
    Phase, UnitKind)
from egov.consultation.services.comments import text_key
from egov.core.models import Organisation

ARTICLES, COMMENTS = %(articles)d, %(comments)d
rng = random.Random(21)
ministry = (Organisation.objects.filter(level="central", valid_to__isnull=True)
            .exclude(code=settings.EGOV_INSTANCE_ORG_CODE).order_by("code").first())
# Production settings load no demo officials: the drafting official is made here.
official = official_services.create_official(username="bench_drafter",
    password=secrets.token_urlsafe(24), organisation=ministry, actor="system",
    first_name="Bench", last_name="Drafter")
official_services.assign_role(official, "processor", ministry, actor="system")
drafter = official.user
lines = ["NGHỊ ĐỊNH", "Quy định điều kiện đầu tư kinh doanh (dự thảo bench)"]
per_chapter = max(ARTICLES // 10, 1)
for n in range(1, ARTICLES + 1):
    if (n - 1) %% per_chapter == 0:
        lines += ["Chương %%d" %% ((n - 1) // per_chapter + 1), "QUY ĐỊNH VỀ NHÓM NGÀNH %%d" %% n]
    lines += ["Điều %%d. Điều kiện kinh doanh số %%d" %% (n, n),
              "1. Doanh nghiệp phải có giấy chứng nhận đủ điều kiện theo Điều %%d." %% n,
              "2. Hồ sơ đề nghị cấp giấy chứng nhận gồm:",
              "a) Đơn đề nghị theo mẫu do Bộ quy định;",
              "b) Bản sao giấy chứng nhận đăng ký doanh nghiệp.",
              "3. Thời hạn giải quyết là %%d ngày làm việc kể từ ngày nhận đủ hồ sơ."
              %% (n %% 20 + 5)]
draft = services.create_draft(drafter, ministry, title="Nghị định về điều kiện đầu tư kinh doanh",
                              doc_type="decree", text="\n".join(lines))
now = timezone.now()
consultation = services.create_consultation(drafter, draft, title="Lấy ý kiến dự thảo Nghị định",
    windows={Phase.COMMENTS: (now - timedelta(days=30), now + timedelta(days=30))})
consultation = services.make(drafter, consultation, "open_comments")
version = draft.versions.order_by("-number").first()
units = [u for u in version.units.all() if u.kind != UnitKind.CHAPTER]
User = get_user_model()
people = []
for i in range(200):
    user = User.objects.create_user("bench_citizen_%%d" %% i, password=None)
    people.append(Citizen.objects.create(user=user, issuer="https://id.example",
        subject="bench-%%d" %% i, personal_id_number="0010990%%05d" %% i,
        full_name="Người góp ý %%d" %% i, email="bench%%d@example.vn" %% i))
WORDS = ["Đề nghị bỏ yêu cầu này vì tăng chi phí tuân thủ cho doanh nghiệp",
         "Đề nghị rút ngắn thời hạn giải quyết",
         "Cần làm rõ cơ quan có thẩm quyền cấp giấy chứng nhận",
         "Đề nghị cho phép nộp hồ sơ trực tuyến",
         "Quy định này trùng với luật chuyên ngành"]
answers = Answer.objects.bulk_create(
    Answer(consultation=consultation, kind=AnswerKind.EXPLAINED,
           text="Ban soạn thảo giải trình: quy định cần thiết để quản lý (ý kiến %%d)." %% i,
           answered_by=drafter, answered_at=now)
    for i in range(COMMENTS // 4))
batch = []
for i in range(COMMENTS):
    unit = None if i %% 50 == 0 else units[rng.randrange(len(units))]
    anchor = unit.anchor if unit else ""
    text = "%%s (ý kiến số %%d)." %% (WORDS[i %% len(WORDS)], i)
    person = people[i %% len(people)]
    batch.append(Comment(consultation=consultation, version=version, anchor=anchor,
        unit_hash=unit.text_hash if unit else "", text=text, text_key=text_key(anchor, text),
        author=person.user, author_kind=AuthorKind.CITIZEN, author_name=person.full_name,
        moderation=Moderation.VISIBLE, answer=answers[i // 4] if i %% 4 == 0 else None,
        received_at=now - timedelta(days=29) + timedelta(seconds=100 * i)))
    if len(batch) == 5000:
        Comment.objects.bulk_create(batch); batch = []
if batch:
    Comment.objects.bulk_create(batch)
connection.cursor().execute("ANALYZE")
citizen = people[0]
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(citizen.user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = citizen.user.get_session_auth_hash()
store[SESSION_LEVEL] = 1
store[SESSION_CITIZEN] = citizen.pk
store.create()
print(json.dumps({"session": store.session_key, "session_cookie": settings.SESSION_COOKIE_NAME,
                  "csrf_cookie": settings.CSRF_COOKIE_NAME, "code": consultation.code,
                  "articles": version.units.filter(kind=UnitKind.ARTICLE).count(),
                  "units": version.units.count(),
                  "comments": Comment.objects.filter(consultation=consultation).count()}))
"""


def _fresh_postgres(url: str) -> tuple[str, str]:
    """A database named for this run on the server of ``url``: (its URL, its name)."""
    import psycopg

    name = f"egov_bench_consultation_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path="/" + name)), name


def post_comment(host: str, port: int, headers: dict[str, str], code: str, number: int) -> int:
    """One comment through the API; its HTTP status (0 when the connection failed)."""
    body = json.dumps(
        {
            "text": f"Bench: đề nghị sửa quy định này, ý kiến mới số {number}.",
            "anchor": INTAKE_ANCHORS[number % len(INTAKE_ANCHORS)],
        }
    ).encode()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("POST", SUBMIT_PATH.format(code=code), body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def measure_intake(server, headers, code: str, warmup: float, duration: float) -> dict:
    figures = harness.post_in_processes(
        partial(post_comment, server.host, server.port, headers, code),
        warmup=warmup,
        duration=duration,
        processes=PROCESSES,
    )
    return {
        "comments_per_s": figures["per_s"],
        "answers": figures["answers"],
        "errors": figures["errors"],
    }


def _p(ordered: list[float], q: float) -> float | None:
    return round(harness.percentile(ordered, q) * 1000, 3) if ordered else None


def main(quick: bool) -> dict:
    articles = int(os.environ.get("BENCH_ARTICLES", "300"))
    comments = int(os.environ.get("BENCH_COMMENTS", "2000" if quick else "20000"))
    if quick:
        harness.log(f"{NAME}: quick run: {comments:,} comments (the issue's figure is 20,000)")
    warmup, duration = harness.durations(quick)
    with tempfile.TemporaryDirectory(prefix="egov-bench-consultation-") as tmp:
        workdir = Path(tmp)
        env = harness.production_env(workdir)
        admin_url, db_name = env["DATABASE_URL"], None
        if admin_url.startswith(("postgres", "pgsql")):
            env["DATABASE_URL"], db_name = _fresh_postgres(admin_url)
        try:
            return _run(quick, articles, comments, warmup, duration, workdir, env)
        finally:
            if db_name:
                _drop_postgres(admin_url, db_name)
                harness.log(f"{NAME}: dropped database {db_name}")


def _run(quick, articles, comments, warmup, duration, workdir, env) -> dict:
    for args in (["migrate", "--noinput"], ["load-demo"], ["collectstatic", "--noinput"]):
        harness.run_egov([*args, "--verbosity", "0"], env, workdir, timeout=CLI_TIMEOUT)
    started = time.monotonic()
    script = SETUP % {"articles": articles, "comments": comments}
    out = harness.run_egov(["shell", "-c", script], env, workdir, timeout=3600)
    setup = json.loads(out.strip().splitlines()[-1])
    harness.log(
        f"{NAME}: a draft of {setup['articles']} articles ({setup['units']} units), "
        f"{setup['comments']:,} comments in {time.monotonic() - started:.0f} s"
    )
    code = setup["code"]
    page = PAGE_PATH.format(code=code)
    headers = auth_headers(setup)
    extra = {k: env[k] for k in ("DATABASE_URL", "EGOV_VAR_DIR", "EGOV_SECRET_KEY")}
    with harness.running_server(extra_env=extra, prepare=False) as server:
        server.check(page)
        if post_comment(server.host, server.port, headers, code, -1) != 201:
            raise harness.BenchError("POST of a comment failed:\n" + server.log_tail())
        baseline = harness.run_baseline(quick, server)
        loaded = harness.measure(
            server, page, warmup=warmup, duration=duration, headers={"Accept-Language": "vi"}
        )
        figures = loaded.figures()
        ordered = sorted(loaded.latencies)
        harness.log(f"{NAME}: {page}: {figures['rps']} req/s, p95 {_p(ordered, 95)} ms")
        # One connection: the page's own time, without queueing behind the 7 others.
        single = harness.measure(
            server,
            page,
            warmup=0.5,
            duration=duration,
            processes=1,
            connections=1,
            headers={"Accept-Language": "vi"},
        )
        alone = sorted(single.latencies)
        intake = measure_intake(server, headers, code, warmup, duration)
        harness.log(f"{NAME}: intake {intake}")
        database, workers = server.database, server.workers
    p95 = _p(ordered, 95)
    per_s = intake["comments_per_s"]
    base_rps = baseline.get("rps")
    return {
        "scenario": NAME,
        "primary": page,
        "database": database,
        "articles": setup["articles"],
        "units": setup["units"],
        "comments": setup["comments"],
        "draft_page": {
            **figures,
            "p50_ms": _p(ordered, 50),
            "p95_ms": p95,
            "p99_ms": _p(ordered, 99),
        },
        "draft_page_single_connection": {
            "rps": single.figures()["rps"],
            "p50_ms": _p(alone, 50),
            "p95_ms": _p(alone, 95),
        },
        "intake": intake,
        "p95_target_ms": P95_TARGET_MS,
        "p95_within_target": bool(p95 is not None and p95 < P95_TARGET_MS),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "config": {
            "workers": workers,
            "load_generator": "python (page: harness.measure; intake: http.client, 4 processes)",
            "baseline_load_generator": "wrk",
            "intake": "POST comments/ as one e-ID citizen (session + CSRF), 4 processes",
            "warmup_s": warmup,
            "duration_s": duration,
            "cpus": os.cpu_count(),
            "quick": quick,
            "note": "quick: fewer comments than the issue's 20,000" if quick else "",
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "draft_page_p95_ms": p95,
        "comments_per_s": per_s,
        "ratio_to_baseline": harness.ratio_to_baseline(figures, baseline),
        "intake_ratio_to_baseline": round(per_s / base_rps, 4) if base_rps else None,
    }
