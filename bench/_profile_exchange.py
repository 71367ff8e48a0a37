"""In-process profile of the hub's batch path (not a scenario: the name starts with _).

    psql -h 127.0.0.1 -U postgres -d test -c "create database egov_prof"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_prof \
        .venv/bin/python -m bench._profile_exchange --prepare --packages 1000 --batch 50 \
        [--phases] [--profile]

Signs the packages first (as the sending province, a 100 KB attachment each), then posts them in
batches to ``POST /api/v1/exchange/packages/batch/`` through ``egov.wsgi.application`` with an API
client's bearer token (no gunicorn, no HTTP), and prints the CPU time per package. ``--phases``:
the CPU time per package of the hub's steps (parse and verify, the hub's copy, the receipt, the
files, the inserts); ``--profile``: cProfile's top functions. Same production settings as
bench/_memory_exchange.py; it migrates the database, and ``--prepare`` loads the demo data
(once per database).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import os
import pstats
import secrets
import tempfile
import time
from pathlib import Path

from bench import _memory_exchange as support

STEPS = {
    "egov.exchange.services.hub.checks": ["load_and_verify", "organisations_on"],
    "egov.exchange.services.hub.packages": ["_hub_copy", "_receipt", "_save", "store_many"],
    "egov.exchange.services.evidence": ["append_many"],
    "egov.core.services.audit": ["record_many"],
}


def _timed(spent: collections.Counter) -> None:
    """Wrap the hub's steps to add their CPU time to ``spent`` (looked up at call time, so
    the wrappers replace the module attributes the hub calls)."""
    import importlib

    for module_name, names in STEPS.items():
        module = importlib.import_module(module_name)
        short = module_name.split(".")[-1]
        for name in names:
            function = getattr(module, name)

            def wrapper(*args, _f=function, _label=f"{short}.{name}", **kw):
                started = time.process_time()
                try:
                    return _f(*args, **kw)
                finally:
                    spent[_label] += time.process_time() - started

            setattr(module, name, functools.wraps(function)(wrapper))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--prepare", action="store_true", help="load-demo first")
    parser.add_argument("--var-dir", default=None)
    parser.add_argument("--phases", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    support.setup(Path(args.var_dir or tempfile.mkdtemp(prefix="egov-prof-")))

    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    if args.prepare:
        call_command("load_demo", verbosity=0)
    from bench.exchange import _multipart, _package
    from egov.core.models import Organisation
    from egov.exchange import edxml
    from egov.wsgi import application

    sender, recipient = list(Organisation.objects.filter(level="province").order_by("code")[:2])
    token, _client_id = support.bearer(application, sender.code, prefix="prof")
    attachment = os.urandom(100 * 1024)
    notation = f"CV-F{secrets.token_hex(3).upper()}"
    total = args.packages + args.batch  # the first batch warms the caches
    signed = [
        edxml.sign(edxml.build(_package(sender, recipient, n, notation, attachment)), sender)
        for n in range(1, total + 1)
    ]
    batches = [_multipart(signed[i : i + args.batch]) for i in range(0, total, args.batch)]

    def post(batch):
        data, content_type = batch
        headers = {"Content-Type": content_type, "Authorization": f"Bearer {token}"}
        status, answer = support.call(
            application, "POST", "/api/v1/exchange/packages/batch/", data, headers
        )
        if status != 201:
            raise SystemExit(f"batch: {status} {answer[:300]!r}")

    post(batches[0])
    spent: collections.Counter = collections.Counter()
    if args.phases:
        _timed(spent)
    profile = cProfile.Profile() if args.profile else None
    started = time.process_time()
    if profile:
        profile.enable()
    for batch in batches[1:]:
        post(batch)
    if profile:
        profile.disable()
    n = args.packages
    print(f"{(time.process_time() - started) * 1000 / n:.2f} ms CPU a package, batches of "
          f"{args.batch}")  # fmt: skip
    for label, seconds in spent.most_common():
        print(f"  {label:28s} {seconds * 1000 / n:.3f} ms a package")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
