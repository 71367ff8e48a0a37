"""In-process CPU and queries per VNPay IPN (not a scenario): first confirmations and replays.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_x .venv/bin/python -m \
        bench._profile_payments [--payments 200] [--profile confirm|replay] [--sql]

The database must be migrated with the demo loaded (``egov migrate``, ``egov load-demo``), as
``egov bench payments`` leaves it. Makes ``--payments`` dossiers with a pending VNPay payment
(bench/payments.py's SETUP), then calls ``egov.wsgi.application`` in this process (production
settings, no gunicorn, no HTTP) with each payment's signed IPN, then with each again (replays),
and prints this process's CPU and the queries per callback of each kind. ``--profile``:
cProfile's top functions for that kind; ``--sql``: the statements of one confirmation.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

from bench import _memory_exchange as support
from bench import payments as scenario


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--profile", default="")
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()
    secret = secrets.token_hex(32)
    os.environ.update({"EGOV_VNPAY_TMN_CODE": scenario.TMN, "EGOV_VNPAY_HASH_SECRET": secret})
    support.setup(Path(tempfile.mkdtemp(prefix="egov-prof-")))
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    from egov.wsgi import application

    out = io.StringIO()
    with redirect_stdout(out):
        exec(scenario.SETUP % {"count": args.payments}, {})  # noqa: S102 - the bench's own code
    orders = json.loads(out.getvalue().strip().splitlines()[-1])
    connections.close_all()
    paths = [scenario.ipn_path(ref, amount, secret, i) for i, (ref, amount) in enumerate(orders)]

    def call(path: str) -> str:
        route, _, query = path.partition("?")
        status, body = support.call(application, "GET", route, query_string=query)
        return json.loads(body)["RspCode"] if status == 200 else str(status)

    call(paths[0])  # warm: imports, caches, the connection
    for kind, todo, expected in (("confirm", paths[1:], "00"), ("replay", paths[1:], "02")):
        profiler = cProfile.Profile(time.process_time) if args.profile == kind else None
        with CaptureQueriesContext(connection) as queries:
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            answers = [call(p) for p in todo]
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        wrong = [a for a in answers if a != expected]
        print(
            f"{kind}: {len(todo)} callbacks, CPU {cpu / len(todo) * 1000:.2f} ms, wall "
            f"{wall / len(todo) * 1000:.2f} ms, queries {len(queries) / len(todo):.1f} each"
            + (f"; unexpected answers {wrong[:5]}" if wrong else "")
        )
        if args.sql and kind == "confirm":
            per = len(queries) // len(todo)
            for q in queries.captured_queries[:per]:
                print("   ", q["sql"][:300])
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
