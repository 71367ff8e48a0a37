"""Scenario ``index`` (issue 17): the service index's ranking page and one drill-down, p95.

The platform as in production (gunicorn, production settings, demo data: the 34 provinces and
the ministries, the catalogue) plus ``$BENCH_DOSSIERS`` generated dossiers (100,000; 10,000 with
--quick; 0 to reuse what a PostgreSQL ``DATABASE_URL`` already holds, e.g. after
``egov generate-dossiers 1000000``: see README, "The index scenario").

- The ranking: ``/service-index/``, the current month live (no snapshot): every ministry and
  province, every indicator of version 766-2022, computed on each request.
- One drill-down: ``/service-index/organisations/<province>/indicators/2.1/`` for the province
  holding the generated dossiers, as a reporter of that province (the session made by the
  setup): its figures and the first page of the dossiers counted in the numerator and in the
  denominator.

Both are loaded by the Python generator (p95 needs every request's latency); the baseline is
the same server's hello-world view (wrk). ``ratio_to_baseline`` is the ranking's requests/s over
the baseline's. Targets: ranking p95 < 200 ms, drill-down p95 < 100 ms.
"""

from __future__ import annotations

import json
import os

from bench import harness

NAME = "index"
RANKING_TARGET_MS = 200.0
DRILLDOWN_TARGET_MS = 100.0
CLI_TIMEOUT = 3600

SETUP = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from egov.accounts.models import Official
from egov.accounts.services import officials
from egov.core.models import Organisation
from egov.dossiers.models import Dossier

org_id = Dossier.objects.order_by("-id").values_list("organisation__path", flat=True).first()
province = Organisation.objects.get(pk=int(org_id.strip("/").split("/")[0]))
official = Official.objects.filter(user__username="bench_reporter").first()
if official is None:
    official = officials.create_official(username="bench_reporter", password="Bench-12345-x",
                                         organisation=province, actor="bench")
    officials.assign_role(official, "reporter", province, actor="bench", include_subtree=True)
connection.cursor().execute("ANALYZE") if connection.vendor == "postgresql" else None
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(official.user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = official.user.get_session_auth_hash()
store.create()
print(json.dumps({"session": store.session_key, "cookie": settings.SESSION_COOKIE_NAME,
                  "province": province.pk, "province_name": province.name,
                  "dossiers": Dossier.objects.count()}))
"""


def _p(latencies: list[float], q: float) -> float | None:
    ordered = sorted(latencies)
    return round(harness.percentile(ordered, q) * 1000, 1) if ordered else None


def main(quick: bool) -> dict:
    count = int(os.environ.get("BENCH_DOSSIERS", "10000" if quick else "100000"))
    warmup, duration = harness.durations(quick)
    with harness.running_server() as server:
        if count:
            harness.log(f"{NAME}: generating {count:,} dossiers")
            harness.run_egov(
                ["generate-dossiers", str(count)], server.env, server.workdir, timeout=CLI_TIMEOUT
            )
        out = harness.run_egov(
            ["shell", "-c", SETUP], server.env, server.workdir, timeout=CLI_TIMEOUT
        )
        setup = json.loads(out.strip().splitlines()[-1])
        headers = {"Cookie": f"{setup['cookie']}={setup['session']}", "Accept-Language": "vi"}
        ranking_path = "/service-index/"
        drill_path = f"/service-index/organisations/{setup['province']}/indicators/2.1/"
        baseline = harness.run_baseline(quick, server)
        harness.log(f"{NAME}: GET {ranking_path} ({setup['dossiers']:,} dossiers)")
        ranking = harness.measure(server, ranking_path, warmup=warmup, duration=duration)
        harness.log(f"{NAME}: GET {drill_path} as a reporter of {setup['province_name']}")
        drill = harness.measure(
            server, drill_path, warmup=warmup, duration=duration, headers=headers
        )
        # One connection: each page's own time, without queueing behind the other seven.
        single = {
            path: harness.measure(
                server,
                path,
                warmup=0.5,
                duration=duration / 2,
                processes=1,
                connections=1,
                headers=headers if path == drill_path else None,
            )
            for path in (ranking_path, drill_path)
        }
        database, workers = server.database, server.workers
    ranking_p95 = _p(ranking.latencies, 95)
    drill_p95 = _p(drill.latencies, 95)
    harness.log(f"{NAME}: ranking p95 {ranking_p95} ms, drill-down p95 {drill_p95} ms")
    return {
        "scenario": NAME,
        "database": database,
        "dossiers": setup["dossiers"],
        "ranking": {**ranking.figures(), "p95_ms": ranking_p95},
        "drilldown": {**drill.figures(), "p95_ms": drill_p95},
        "single_connection": {
            "ranking_p95_ms": _p(single[ranking_path].latencies, 95),
            "drilldown_p95_ms": _p(single[drill_path].latencies, 95),
        },
        "targets_ms": {"ranking_p95": RANKING_TARGET_MS, "drilldown_p95": DRILLDOWN_TARGET_MS},
        "within_targets": bool(
            ranking_p95 is not None
            and drill_p95 is not None
            and ranking_p95 < RANKING_TARGET_MS
            and drill_p95 < DRILLDOWN_TARGET_MS
        ),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "config": {
            "workers": workers,
            "load_generator": "python (harness.measure); baseline: wrk",
            "warmup_s": warmup,
            "duration_s": duration,
            "cpus": os.cpu_count(),
            "quick": quick,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "ranking_p95_ms": ranking_p95,
        "drilldown_p95_ms": drill_p95,
        "ratio_to_baseline": harness.ratio_to_baseline(ranking.figures(), baseline),
    }
