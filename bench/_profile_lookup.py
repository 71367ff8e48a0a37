"""In-process CPU per request of the public lookup beside the baseline (not a scenario).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_lookup \
        EGOV_CACHE=redis://127.0.0.1:6379/0 .venv/bin/python -m bench._profile_lookup \
        [--requests 3000] [--rounds 3] [--profile lookup]

Calls ``egov.wsgi.application`` (production settings, as bench/_memory_exchange.py sets them;
``EGOV_BENCH_BASELINE`` on) in this process, without gunicorn or HTTP, for the hello world
(``hello``), the hello world through egov's middleware (``stack``) and the lookup of the newest
received dossier (``lookup``; the database must hold dossiers: ``egov generate-dossiers``), in
alternating rounds, and prints the CPU time per request of each (this process only: not the
database's nor Redis's). ``--profile NAME``: cProfile's top functions for that endpoint.
``EGOV_CACHE`` and ``DATABASE_URL`` are the caller's; the lookup limit is set out of reach.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import _memory_exchange as support


def _dossier() -> tuple[str, str]:
    from egov.dossiers.models import Dossier

    d = Dossier.objects.filter(status=10).order_by("-id").first() or Dossier.objects.last()
    return d.code, d.applicant_id_number


def _backend_pid() -> int | None:
    """The PostgreSQL backend of this process's (pooled) connection, when it is the only one."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        (pid,) = cursor.fetchone()
    connection.close()
    return pid


def _cpu_seconds(pid: int | None) -> float:
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="")
    parser.add_argument("--callees", default="", help="with --profile: what these functions call")
    args = parser.parse_args()
    os.environ["EGOV_BENCH_BASELINE"] = "1"
    os.environ["EGOV_LOOKUP_RATE"] = "1000000000/min"
    support.setup(Path(tempfile.mkdtemp(prefix="egov-prof-")))
    from egov.wsgi import application

    code, id_number = _dossier()
    from django.db import connections

    connections.close_all()
    lookup = "/api/v1/dossier-lookup/?" + urlencode({"code": code, "id_number": id_number})
    paths = {"hello": "/bench/hello/", "stack": "/bench/hello/stack/", "lookup": lookup}

    def call(path: str) -> None:
        route, _, query = path.partition("?")
        status, _body = support.call(application, "GET", route, query_string=query)
        if status != 200:
            raise SystemExit(f"{path}: {status} {_body[:300]!r}")

    for path in paths.values():  # warm-up: imports, caches, the pool's connection
        for _ in range(200):
            call(path)
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.requests):
            call(paths[args.profile])
        profile.disable()
        if args.callees:
            pstats.Stats(profile).sort_stats("cumulative").print_callees(args.callees)
            return
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return
    spent: dict[str, list[float]] = {name: [] for name in paths}
    database: dict[str, list[float]] = {name: [] for name in paths}
    backend = _backend_pid()
    for _ in range(args.rounds):
        for name, path in paths.items():
            started, db_started = time.process_time(), _cpu_seconds(backend)
            for _ in range(args.requests):
                call(path)
            spent[name].append((time.process_time() - started) * 1000 / args.requests)
            database[name].append((_cpu_seconds(backend) - db_started) * 1000 / args.requests)
    for name, values in spent.items():
        shown = " ".join(f"{v:.3f}" for v in values)
        print(f"{name:7} CPU ms/request: median {statistics.median(values):.3f} ({shown})")
        if backend:
            shown = " ".join(f"{v:.3f}" for v in database[name])
            print(f"{'':7} PostgreSQL backend CPU ms/request: {shown}")
    print(f"load average: {[round(x, 2) for x in os.getloadavg()]}")


if __name__ == "__main__":
    main()
