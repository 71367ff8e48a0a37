"""CPU per request of the lookup and of the hello world over HTTP, for A/B runs (not a scenario).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_lookup \
        PYTHONPATH=src:. .venv/bin/python -m bench._cpu_lookup [--cache redis://127.0.0.1:6379/0] \
        [--rounds 2] [--duration 8]

Starts the production server on a PostgreSQL database already prepared (``egov migrate``,
``generate-dossiers``; nothing is loaded here) with the code on ``PYTHONPATH`` (old code: ``git
archive`` of ``src`` into a directory put first), then loads ``/bench/hello/`` and the lookup with
wrk in alternating windows. For each window: req/s, p50/p99, and CPU milliseconds per request of
the gunicorn processes (``server``), of this database's PostgreSQL backends (``db``) and of the
whole machine (``machine``: /proc/stat, every process, other sessions' too).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from urllib.parse import urlencode

from bench import harness

TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int, user_only: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + (0 if user_only else int(fields[12]))) / TICK


def _user_cpu(pid: int) -> float:
    return _process_cpu(pid, user_only=True)


def _server_pids(port: int) -> list[int]:
    """gunicorn's master (found by its --bind) and its workers."""
    masters, parents = [], {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[1])
        if b"gunicorn" in b" ".join(cmdline) and f"127.0.0.1:{port}".encode() in cmdline:
            masters.append(int(entry.name))
    return masters + [pid for pid, parent in parents.items() if parent in masters]


def _backend_pids(database: str) -> list[int]:
    import subprocess

    query = "select pid from pg_stat_activity where datname = :'name'"
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-At", "-v"]
        + [f"name={database}"],
        input=query,  # psql interpolates :'name' (quoted) in what it reads, not in -c
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [int(line) for line in out.split()]


def _machine_busy() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", default="db")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--label", default="")
    parser.add_argument("--endpoints", default="hello,lookup", help="of hello,stack,lookup")
    args = parser.parse_args()
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    extra = {"EGOV_LOOKUP_RATE": "100000000/min", "EGOV_CACHE": args.cache}
    with harness.running_server(extra_env=extra, prepare=False) as server:
        out = harness.run_egov(
            [
                "shell",
                "-c",
                "import json; from egov.dossiers.models import Dossier; "
                "d = Dossier.objects.filter(status=10).order_by('-id').first(); "
                "print(json.dumps([d.code, d.applicant_id_number]))",
            ],
            server.env,
            server.workdir,
        )
        code, id_number = json.loads(out.strip().splitlines()[-1])
        lookup = "/api/v1/dossier-lookup/?" + urlencode({"code": code, "id_number": id_number})
        paths = {"hello": "/bench/hello/", "stack": "/bench/hello/stack/", "lookup": lookup}
        paths = {k: v for k, v in paths.items() if k in args.endpoints.split(",")}
        harness.measure_wrk(server, lookup, warmup=1, duration=2)  # the pools fill
        pids = _server_pids(server.port)
        for round_ in range(args.rounds):
            for name, path in paths.items():
                backends = _backend_pids(database)
                before = [sum(map(_process_cpu, p)) for p in (pids, backends)]
                user_before = sum(map(_user_cpu, pids))
                busy, load = _machine_busy(), os.getloadavg()[0]
                figures = harness.measure_wrk(server, path, warmup=0, duration=args.duration)
                after = [sum(map(_process_cpu, p)) for p in (pids, backends)]
                user = sum(map(_user_cpu, pids)) - user_before
                requests = figures["requests"] or 1
                row = {
                    "label": args.label,
                    "round": round_ + 1,
                    "endpoint": name,
                    "rps": figures["rps"],
                    "p50_ms": figures["p50_ms"],
                    "p99_ms": figures["p99_ms"],
                    "errors": figures["errors"],
                    "server_cpu_ms": round((after[0] - before[0]) * 1000 / requests, 3),
                    "server_user_ms": round(user * 1000 / requests, 3),
                    "db_cpu_ms": round((after[1] - before[1]) * 1000 / requests, 3),
                    "machine_cpu_ms": round((_machine_busy() - busy) * 1000 / requests, 3),
                    "load_before": round(load, 2),
                }
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
