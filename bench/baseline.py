"""Scenario ``baseline``: the platform served as in production, nothing else.

gunicorn with several sync worker processes, production settings, a fresh database with the demo
data, static files collected. Two endpoints are loaded in turn: ``/healthz`` (a few trivial
queries, JSON) and the home page ``/`` (a template and four small queries), the primary one,
whose figures are the top-level ``rps``/``p50_ms``/``p99_ms``. Other scenarios compare with it
through ``harness.run_baseline(quick)``.
"""

from __future__ import annotations

import os

from bench import harness

NAME = "baseline"
PRIMARY = "/"
ENDPOINTS = ("/healthz", PRIMARY)


def main(quick: bool) -> dict:
    warmup, duration = harness.durations(quick)
    endpoints: dict[str, dict] = {}
    with harness.running_server() as server:
        server.check(*ENDPOINTS)
        for path in ENDPOINTS:
            harness.log(f"{NAME}: GET {path}, {warmup:g} s warm-up + {duration:g} s measured")
            figures = harness.measure(server, path, warmup=warmup, duration=duration).figures()
            harness.log(
                f"{NAME}: GET {path}: {figures['rps']} req/s, p50 {figures['p50_ms']} ms, "
                f"p99 {figures['p99_ms']} ms, {figures['errors']} errors"
            )
            endpoints[path] = figures
    return {
        "scenario": NAME,
        "primary": PRIMARY,
        **harness.headline(endpoints[PRIMARY]),
        "endpoints": endpoints,
        "config": {
            "server": "gunicorn",
            "workers": server.workers,
            "database": server.database,
            "load_processes": harness.LOAD_PROCESSES,
            "concurrency": harness.LOAD_PROCESSES * harness.CONNECTIONS_PER_PROCESS,
            "warmup_s": warmup,
            "duration_s": duration,
            "cpus": os.cpu_count(),
            "quick": quick,
        },
    }
