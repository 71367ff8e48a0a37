"""In-process profile of the lifecycle and lookup hot paths (not a scenario: name starts with _).

    export EGOV_VAR_DIR=/tmp/egov-prof EGOV_ENV=production EGOV_SECRET_KEY=... \
        EGOV_ALLOWED_HOSTS=testserver EGOV_SSL_REDIRECT=0 EGOV_LOOKUP_RATE=100000000/min
    egov migrate && egov load-demo
    python bench/_profile_lifecycle.py [N] [--profile] [--sql]   # PROFILE_SQL=200: each query

Expects ``egov migrate`` and ``egov load-demo`` done on that database. Runs N lifecycles
(submit → receive → start-processing → approve → return-result) through the test client with an
API client's bearer token, as bench/lifecycle.py does over HTTP, then N lookups; prints per-request
CPU time and queries per request; with --profile, the cProfile top functions.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.lifecycle import SCOPES, application  # noqa: E402

SQL = int(os.environ.get("PROFILE_SQL", "0"))
ACTS = ("receive", "start-processing", "approve", "return-result")


def setup():
    out = io.StringIO()
    call_command("generate_dossiers", "0", "--setup-only", stdout=out)
    organisation = out.getvalue().split("organisation ", 1)[1].split()[0]
    name = f"prof-{time.time_ns()}"
    args = ["create", name, "--organisation", organisation]
    for scope in SCOPES:
        args += ["--scope", scope]
    out = io.StringIO()
    call_command("api_client", *args, stdout=out)
    text = out.getvalue()
    client = text.split("client_id:", 1)[1].split()[0]
    secret = text.split("client_secret:", 1)[1].split()[0]
    return organisation, client, secret


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20
    profile = "--profile" in sys.argv
    organisation, client_id, secret = setup()
    http = Client()
    r = http.post(
        "/api/v1/oauth/token",
        urlencode(
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200, r.content
    headers = {"HTTP_AUTHORIZATION": f"Bearer {r.json()['access_token']}"}
    from egov.dossiers.benchdata import sample_form

    form = sample_form()
    times, queries = defaultdict(float), defaultdict(int)
    samples = defaultdict(list)  # per act: CPU seconds of each request
    codes = []

    def lifecycle(capture=True):
        t = time.process_time()
        with CaptureQueriesContext(connection) as q:
            r = http.post(
                "/api/v1/dossiers/",
                application(organisation, form),
                content_type="application/json",
                **headers,
            )
        assert r.status_code == 201, r.content
        times["submit"] += time.process_time() - t
        samples["submit"].append(time.process_time() - t)
        queries["submit"] += len(q)
        if SQL:
            print("--- submit")
            for x in q.captured_queries:
                print("   ", x["sql"][:SQL])
        code = r.json()["code"]
        codes.append(code)
        for act in ACTS:
            t = time.process_time()
            with CaptureQueriesContext(connection) as q:
                r = http.post(
                    f"/api/v1/dossiers/{code}/{act}/", b"{}", "application/json", **headers
                )
            assert r.status_code == 200, (act, r.content)
            times[act] += time.process_time() - t
            samples[act].append(time.process_time() - t)
            queries[act] += len(q)
            if SQL:
                print(f"--- {act}")
                for x in q.captured_queries:
                    print("   ", x["sql"][:SQL])

    cold = time.perf_counter()
    lifecycle()  # warm-up: the first lifecycle of a fresh process
    print(f"first lifecycle (cold process): {1000 * (time.perf_counter() - cold):.0f} ms wall")
    times.clear()
    queries.clear()
    samples.clear()
    profiler = cProfile.Profile() if profile else None
    start = time.process_time()
    if profiler:
        profiler.enable()
    for _ in range(n):
        lifecycle()
    if profiler:
        profiler.disable()
    total = time.process_time() - start
    print(f"lifecycle: {n} in {total:.2f} s: {n / total:.1f} dossiers/s, {5 * n / total:.1f} req/s")
    for act in ("submit", *ACTS):
        median = 1000 * statistics.median(samples[act])
        print(
            f"  {act:18s} mean {1000 * times[act] / n:6.2f} ms, median {median:6.2f} ms CPU, "
            f"{queries[act] / n:5.1f} queries"
        )

    from egov.dossiers.models import Dossier

    d = Dossier.objects.get(code=codes[-1])
    path = "/api/v1/dossier-lookup/?" + urlencode(
        {"code": d.code, "id_number": d.applicant_id_number}
    )
    http.get(path)
    t = time.process_time()
    nq = 0
    lookup_profiler = cProfile.Profile() if profile else None
    if lookup_profiler:
        lookup_profiler.enable()
    for _ in range(n * 5):
        with CaptureQueriesContext(connection) as q:
            r = http.get(path)
        assert r.status_code == 200, r.content
        nq += len(q)
    if lookup_profiler:
        lookup_profiler.disable()
    lt = time.process_time() - t
    print(f"lookup: {1000 * lt / (5 * n):.2f} ms/request, {nq / (5 * n):.1f} queries")
    if "--sql" in sys.argv:
        with CaptureQueriesContext(connection) as q:
            http.get(path)
        print(json.dumps([x["sql"][:300] for x in q.captured_queries], indent=1))
    if profiler:
        for p, title in ((profiler, "LIFECYCLE"), (lookup_profiler, "LOOKUP")):
            print(f"===== {title} cumulative")
            s = io.StringIO()
            pstats.Stats(p, stream=s).sort_stats("cumulative").print_stats(60)
            print(s.getvalue())
            s = io.StringIO()
            pstats.Stats(p, stream=s).sort_stats("tottime").print_stats(30)
            print(f"===== {title} tottime")
            print(s.getvalue())


if __name__ == "__main__":
    main()
