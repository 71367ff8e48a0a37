"""Where does a hub process's memory go? Packages through the platform's WSGI application,
in this process (no gunicorn, no HTTP), with the figures a leak hunt needs.

Not a scenario (``egov bench`` skips files starting with ``_``). Run from the checkout::

    psql -h 127.0.0.1 -U postgres -d test -c "create database egov_mem"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_mem \
        .venv/bin/python -m bench._memory_exchange --prepare --packages 5000 --every 500 \
        [--trace] [--types] [--trim] [--service]

Each package is built and signed here as the sending province (a DocumentId of its own, 100 KB
attachment) and posted to ``POST /api/v1/exchange/packages/`` through ``egov.wsgi.application``
with an API client's bearer token, as gunicorn would call it (``--service``: straight to
``packages.accept_package`` with the client as actor). Every ``--every`` packages one line: RSS
(/proc/self/statm), the change of gc-tracked objects per type since the warm-up (``--types``),
the top tracemalloc differences by traceback (``--trace``; slow). ``--trim`` calls glibc's
malloc_trim(0) before each sample (is the growth fragmentation, or live objects?).
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import io
import json
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE_KB / 1024


_MALLINFO2 = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO2.split()]  # noqa: SIM905


def malloc_mb() -> str:
    """glibc's view (all arenas): heap obtained with brk/arenas, in use, free inside, mmapped."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _Mallinfo2
    m = libc.mallinfo2()
    return (
        f"malloc heap {m.arena / 2**20:.1f} in use {m.uordblks / 2**20:.1f} "
        f"free {m.fordblks / 2**20:.1f} mmapped {m.hblkhd / 2**20:.1f} MB"
    )


def type_counts() -> collections.Counter:
    gc.collect()
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


def setup(var_dir: Path) -> None:
    os.environ.update(
        {
            "EGOV_ENV": "production",
            "EGOV_SECRET_KEY": secrets.token_urlsafe(50),
            "EGOV_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "EGOV_SSL_REDIRECT": "0",
            "EGOV_HSTS_SECONDS": "0",
            "EGOV_VAR_DIR": str(var_dir),
            "EGOV_PKI_AUTO_CREATE": "1",
            "EGOV_INSTANCE_ORG_CODE": "000.00.00.G22",
            "DJANGO_SETTINGS_MODULE": "egov.settings",
        }
    )
    import django

    django.setup()


def call(
    app,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict | None = None,
    query_string: str = "",
):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query_string,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    status = []
    result = app(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        out = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(status[0].split()[0]), out


def bearer(application, organisation_code: str, *, prefix: str) -> tuple[str, str]:
    """A new API client of the organisation (documents.send) and a bearer token for it, through
    ``application``: (token, client_id)."""
    from django.core.management import call_command

    out = io.StringIO()
    name = f"{prefix}-{secrets.token_hex(3)}"
    call_command(
        "api_client",
        "create",
        name,
        "--organisation",
        organisation_code,
        "--scope",
        "documents.send",
        stdout=out,
    )
    fields = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": fields["client_id"],
            "client_secret": fields["client_secret"].split()[0],
        }
    ).encode()
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = call(application, "POST", "/api/v1/oauth/token", form, kind)
    assert status == 200, body
    return json.loads(body)["access_token"], fields["client_id"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=3000)
    parser.add_argument("--every", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--prepare", action="store_true", help="migrate and load-demo first")
    parser.add_argument("--var-dir", default=None)
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--types", action="store_true")
    parser.add_argument("--trim", action="store_true")
    parser.add_argument("--service", action="store_true")
    parser.add_argument("--garbage", action="store_true", help="types in unreachable cycles")
    parser.add_argument("--collect", type=int, default=0, help="gc.collect() every N packages")
    args = parser.parse_args()
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="egov-mem-"))
    setup(var_dir)

    from django.core.management import call_command
    from django.db import close_old_connections

    if args.prepare:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("load_demo", verbosity=0)
    from bench.exchange import _package
    from egov.accounts.models import ApiClient
    from egov.core.models import Organisation
    from egov.exchange import edxml
    from egov.exchange.services.hub import packages
    from egov.wsgi import application

    provinces = list(Organisation.objects.filter(level="province").order_by("code")[:2])
    sender, recipient = provinces
    token, client_id = bearer(application, sender.code, prefix="mem")
    headers = {"Content-Type": "application/xml", "Authorization": f"Bearer {token}"}
    client = ApiClient.objects.get(client_id=client_id) if args.service else None
    attachment = os.urandom(100 * 1024)
    notation = f"CV-M{secrets.token_hex(3).upper()}"
    libc = ctypes.CDLL("libc.so.6") if args.trim else None

    def one(n: int) -> None:
        data = edxml.sign(edxml.build(_package(sender, recipient, n, notation, attachment)), sender)
        if args.service:
            close_old_connections()
            assert packages.accept_package(data, actor=client).created
            close_old_connections()
            return
        status, answer = call(application, "POST", "/api/v1/exchange/packages/", data, headers)
        if status != 201:
            raise SystemExit(f"package {n}: {status} {answer[:300]!r}")

    started = time.monotonic()
    print(f"start rss {rss_mb():.1f} MB, frozen objects {gc.get_freeze_count()}", flush=True)
    for n in range(1, args.warmup + 1):
        one(n)
    if libc:
        libc.malloc_trim(0)
    base_rss = rss_mb()
    base_types = type_counts() if args.types else None
    if args.trace:
        tracemalloc.start(8)
        gc.collect()
        base_snap = tracemalloc.take_snapshot()
    print(f"after warm-up ({args.warmup}) rss {base_rss:.1f} MB", flush=True)
    peak = base_rss
    for n in range(args.warmup + 1, args.warmup + args.packages + 1):
        one(n)
        if n % 100 == 0:
            peak = max(peak, rss_mb())
        if args.collect and n % args.collect == 0:
            gc.collect()
        if (n - args.warmup) % args.every:
            continue
        if args.garbage:
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            gc.set_debug(0)
            junk = collections.Counter(type(o).__qualname__ for o in gc.garbage)
            print(f"   in unreachable cycles: {len(gc.garbage)} {junk.most_common(15)}")
            big = collections.Counter()
            for o in gc.garbage:
                for r in gc.get_referents(o):
                    size = sys.getsizeof(r) if isinstance(r, bytes | str | bytearray) else 0
                    if size > 10_000:
                        big[type(o).__qualname__, type(r).__qualname__] += size
            print(f"   large buffers held by them (bytes): {big.most_common(10)}")
            gc.garbage.clear()
            gc.collect()
        if libc:
            libc.malloc_trim(0)
        line = (
            f"{n - args.warmup:>7} packages  rss {rss_mb():7.1f} MB  "
            f"(+{rss_mb() - base_rss:.1f})  peak {peak:.1f}  "
            f"{(n - args.warmup) / (time.monotonic() - started):.1f}/s  "
            f"full collections {gc.get_stats()[2]['collections']}\n   {malloc_mb()}"
        )
        if base_types is not None:
            now = type_counts()
            grown = (now - base_types).most_common(12)
            line += f"\n   objects grown: {grown}  total {sum(now.values())}"
        print(line, flush=True)
        if args.trace:
            gc.collect()  # garbage in cycles (requests) is not what we look for
            snap = tracemalloc.take_snapshot()
            stats = snap.compare_to(base_snap, "traceback")[:8]
            for stat in stats:
                print(
                    f"   {stat.size_diff / 1024:+.1f} KiB {stat.count_diff:+d} blocks", flush=True
                )
                for frame in stat.traceback.format()[-8:]:
                    print(f"      {frame}", flush=True)
    print(f"done: rss {rss_mb():.1f} MB, peak {peak:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
