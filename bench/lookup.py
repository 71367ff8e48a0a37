"""Scenario ``lookup``: the public dossier lookup (code + ID number) over HTTP.

Prepares the production stack, generates ``$BENCH_DOSSIERS`` dossiers with histories (default
100,000; 10,000 with --quick; 0 to reuse what a PostgreSQL ``$DATABASE_URL`` already holds, e.g.
after ``egov generate-dossiers 1000000``), then loads ``/api/v1/dossier-lookup/`` for one
existing dossier. The per-address rate limit stays on, set high enough for the load
(``EGOV_LOOKUP_RATE``); its counter is in the cache ``$BENCH_CACHE`` gives the server as
``EGOV_CACHE`` (default: production's ``db``; e.g. ``redis://127.0.0.1:6379/0``). Both the lookup
and the baseline (the hello-world view of the same server, just before) are loaded with wrk over
the same connections. Prints requests/s, p50/p99 and the ratio to the baseline.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlencode

from bench import harness

NAME = "lookup"
P99_TARGET_MS = 50


def main(quick: bool) -> dict:
    count = int(os.environ.get("BENCH_DOSSIERS", "10000" if quick else "100000"))
    cache = os.environ.get("BENCH_CACHE", "db")
    extra = {"EGOV_LOOKUP_RATE": "100000000/min", "EGOV_CACHE": cache}
    with harness.running_server(extra_env=extra) as server:
        if count:
            harness.log(f"{NAME}: generating {count:,} dossiers")
            harness.run_egov(
                ["generate-dossiers", str(count)], server.env, server.workdir, timeout=1800
            )
        out = harness.run_egov(
            [
                "shell",
                "-c",
                "import json; from egov.dossiers.models import Dossier; "
                "d = Dossier.objects.filter(status=10).order_by('-id').first(); "
                "print(json.dumps([Dossier.objects.count(), d.code, d.applicant_id_number]))",
            ],
            server.env,
            server.workdir,
            timeout=1800,
        )
        total, code, id_number = json.loads(out.strip().splitlines()[-1])
        path = "/api/v1/dossier-lookup/?" + urlencode({"code": code, "id_number": id_number})
        baseline = harness.run_baseline(quick, server)
        harness.log(f"{NAME}: GET {path} with wrk")
        figures = harness.measure_wrk(server, path, quick=quick)
        database, workers = server.database, server.workers
    harness.log(f"{NAME}: {figures['rps']} req/s, p99 {figures.get('p99_ms')} ms")
    return {
        "scenario": NAME,
        "database": database,
        "dossiers": total,
        **{k: figures.get(k) for k in ("rps", "p50_ms", "p99_ms", "errors")},
        "p99_target_ms": P99_TARGET_MS,
        "p99_within_target": bool(figures.get("p99_ms") and figures["p99_ms"] < P99_TARGET_MS),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "ratio_to_baseline": harness.ratio_to_baseline(figures, baseline),
        "config": {
            "workers": workers,
            "load_generator": "wrk",
            "concurrency": figures["concurrency"],
            "cache": cache.split("@")[-1],  # no password in the figures
            "cpus": os.cpu_count(),
            "quick": quick,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
    }
