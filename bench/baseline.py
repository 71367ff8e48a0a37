"""Scenario ``baseline``: the least a Django view can do, served as every scenario's server is.

gunicorn with the same sync workers, production settings, the same fresh database with the demo
data, loaded with wrk (Debian's native load generator, installed if missing) over the same 8
connections as the scenarios. The primary endpoint, whose figures are the top-level
``rps``/``p50_ms``/``p99_ms``, is ``/bench/hello/``: a hello-world JSON view through Django's own
request handling without middleware (egov.site.bench_baseline, served only when the bench's
``EGOV_BENCH_BASELINE`` is on). For reading a scenario's figures, also measured:

- ``/bench/hello/stack/``: the same view through egov's whole middleware stack;
- ``/``: the portal's home page (a template and a few queries), the baseline before issue 12;
- ``python /bench/hello/``: the primary endpoint with the Python load generator that some
  scenarios still use (``harness.measure``), to see how much that generator holds them back.

Other scenarios get the primary endpoint measured on their own server, in the same run, through
``harness.run_baseline(quick, server)`` (or this whole scenario with ``run_baseline(quick)``).
"""

from __future__ import annotations

import math
import os

from bench import harness

NAME = "baseline"
PRIMARY = "/bench/hello/"
WRK_ENDPOINTS = (PRIMARY, "/bench/hello/stack/", "/")
PYTHON_KEY = f"python {PRIMARY}"


def _log(label: str, figures: dict) -> None:
    harness.log(
        f"{NAME}: GET {label}: {figures['rps']} req/s, p50 {figures['p50_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, {figures['errors']} errors"
    )


def config(server: harness.Server, quick: bool) -> dict:
    warmup, duration = harness.durations(quick)
    return {
        "server": "gunicorn",
        "workers": server.workers,
        "database": server.database,
        "load_generator": "wrk",
        "wrk_threads": harness.LOAD_PROCESSES,
        "concurrency": harness.LOAD_PROCESSES * harness.CONNECTIONS_PER_PROCESS,
        "warmup_s": math.ceil(warmup),  # wrk runs whole seconds
        "duration_s": math.ceil(duration),
        "cpus": os.cpu_count(),
        "quick": quick,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def measure_primary(server: harness.Server, quick: bool) -> dict:
    """The primary endpoint on ``server`` with wrk: the baseline a scenario compares with."""
    harness.log(f"{NAME}: GET {PRIMARY} with wrk on the scenario's server")
    figures = harness.measure_wrk(server, PRIMARY, quick=quick)
    _log(PRIMARY, figures)
    return {
        "scenario": NAME,
        "primary": PRIMARY,
        **harness.headline(figures),
        "endpoints": {PRIMARY: figures},
        "config": config(server, quick),
    }


def main(quick: bool) -> dict:
    endpoints: dict[str, dict] = {}
    with harness.running_server() as server:
        server.check(*WRK_ENDPOINTS)
        for path in WRK_ENDPOINTS:
            harness.log(f"{NAME}: GET {path} with wrk")
            endpoints[path] = harness.measure_wrk(server, path, quick=quick)
            _log(path, endpoints[path])
        harness.log(f"{NAME}: GET {PRIMARY} with the Python load generator")
        endpoints[PYTHON_KEY] = harness.measure(server, PRIMARY, quick=quick).figures()
        _log(PYTHON_KEY, endpoints[PYTHON_KEY])
        settings = config(server, quick)
    return {
        "scenario": NAME,
        "primary": PRIMARY,
        **harness.headline(endpoints[PRIMARY]),
        "endpoints": endpoints,
        "config": settings,
    }
