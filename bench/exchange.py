"""Scenario ``exchange``: signed edXML packages through the hub, per second, over HTTP.

The platform runs as in production (gunicorn, production settings, a development CA so the hub
can sign its copies and receipts). This process signs packages beforehand, each with a 100 KB
attachment and a DocumentId of its own, as the sending province, and posts them to
``POST /api/v1/exchange/packages/`` with an API client's token from several connections. Each
201 means the hub parsed and validated the package, verified its XML signature and certificate
chain, checked the sender, stored the sender's bytes and its own signed copy (TraceHeader
appended), wrote the package, the delivery in the recipient's mailbox, two evidence rows and an
audit row, and answered with its signed receipt.

Figures: ``packages_per_s`` (201 answers in the measured window / its length), latency
percentiles, errors; ``raw_sign_verify_per_s``, this process signing and verifying the same
kind of package with the same keys, one core, measured in the same run, and
``ratio_to_raw`` = packages_per_s / raw_sign_verify_per_s; ``server_cpu_ms_per_package`` (CPU
seconds of the gunicorn processes in the window / packages: steadier than the rate when the
machine is shared) with the load average; ``rss_mb``: resident memory (MB) of each gunicorn
worker before the warm-up, after it, at the end, the highest sample of each, and a series of
about ten (packages done, MB per worker) points, sampled every second.

Sizes: ``BENCH_PACKAGES`` packages after the warm-up (default 1,500 quick, 20,000 full) and
``BENCH_SECONDS`` for the measured window (default 10 s quick, 120 s full; with
``BENCH_PACKAGES`` alone the run lasts until every package is posted). Up to 20,000 packages
are signed before the run; more are signed during it by a child process (100,000 signed
packages would take 14 GB of memory), which takes some CPU from the server: a memory run,
``BENCH_PACKAGES=100000``, logs the RSS per worker every 10,000 packages.

Use PostgreSQL: ``DATABASE_URL=postgres://.../egov_bench EGOV_ENV=dev egov bench exchange``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import multiprocessing
import os
import queue
import secrets
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from bench import harness
from bench.lifecycle import egov_output, token

NAME = "exchange"
PATH = "/api/v1/exchange/packages/"
ATTACHMENT = 100 * 1024
CONNECTIONS = 8
# Up to this many packages (warm-up included) are signed before the run; more are signed during
# it by a child process, at most STREAM_AHEAD ahead (about 140 kB each).
PRESIGN_MAX = 20000
STREAM_AHEAD = 2000


def _json(server, path):
    status, body = server.get(path)
    if status != 200:
        raise harness.BenchError(f"GET {path}: {status}")
    return json.loads(body)


def _package(sender, recipient, number, notation, attachment):
    from egov.exchange import edxml

    today = dt.date.today()
    return edxml.Package(
        header=edxml.MessageHeader(
            from_=edxml.Organ(sender.code, sender.name),
            to=[edxml.Organ(recipient.code, recipient.name)],
            code_number=number,
            code_notation=notation,
            promulgation_date=today,
            subject=f"Văn bản thử tải số {number}",
            type_name="Công văn",
            signers=[edxml.Signer("Nguyễn Văn A", "TM. UBND", "Chủ tịch")],
            priority=number % 5,
            due_date=today + dt.timedelta(days=10),
        ),
        trace=[edxml.TraceHeader(sender.code, dt.datetime.now().replace(microsecond=0))],
        attachments=[edxml.Attachment("van-ban.pdf", attachment)],
    )


def _rss_kb(marker: str) -> dict[int, int]:
    """Resident memory (kB) of every process whose command line holds ``marker``."""
    return {pid: rss for pid, (_, rss) in _processes(marker).items()}


def _processes(marker: str) -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident kB) of every process whose command line holds ``marker``."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            if marker.encode() not in cmdline:
                continue
            rss = ppid = 0
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("PPid:"):
                    ppid = int(line.split()[1])
            found[int(entry)] = (ppid, rss)
        except (OSError, ValueError):
            continue
    return found


def _workers_mb(marker: str) -> dict[int, float]:
    """RSS (MB) per gunicorn worker: the processes whose parent is another server process."""
    procs = _processes(marker)
    return {
        pid: round(rss / 1024, 1) for pid, (ppid, rss) in sorted(procs.items()) if ppid in procs
    }


def _signer(out, sender, recipient, first: int, last: int, notation: str, attachment: bytes):
    """Child process of a long run: sign packages first..last into ``out`` as the run goes, so
    they need not all sit in memory (100,000 signed packages of 100 KB are 14 GB)."""
    from egov.exchange import edxml

    for n in range(first, last + 1):
        out.put(
            edxml.sign(edxml.build(_package(sender, recipient, n, notation, attachment)), sender)
        )


def _cpu_s(marker: str) -> float:
    """CPU seconds (user + system) used so far by the processes whose command line holds
    ``marker``: the server's cost, whatever else the machine runs."""
    ticks = 0
    for pid in _rss_kb(marker):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def _raw_rate(sender, recipient, attachment, seconds: float) -> float:
    from egov.core.signing import sign_xml, verify_xml
    from egov.exchange import edxml

    root = edxml.build(_package(sender, recipient, 1, "RAW", attachment))
    done = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        signed = sign_xml(root, sender)
        if not verify_xml(signed).valid:
            raise harness.BenchError("raw sign+verify: the signature does not verify")
        done += 1
    return done / (time.monotonic() - started)


def main(quick: bool) -> dict:
    from django.test import override_settings

    from egov.exchange import edxml

    warmup_n = 30 if quick else 200
    # BENCH_PACKAGES alone: post that many (after the warm-up), however long it takes.
    packages = int(os.environ.get("BENCH_PACKAGES") or (1500 if quick else 20000))
    seconds = os.environ.get("BENCH_SECONDS")
    if seconds:
        duration = float(seconds)
    else:
        duration = float("inf") if os.environ.get("BENCH_PACKAGES") else (10.0 if quick else 120.0)
    total = warmup_n + packages
    stream = total > PRESIGN_MAX
    attachment = os.urandom(ATTACHMENT)
    run = secrets.token_hex(3).upper()
    extra = {"EGOV_PKI_AUTO_CREATE": "1", "EGOV_INSTANCE_ORG_CODE": "000.00.00.G22"}
    with harness.running_server(extra_env=extra) as server:
        provinces = _json(server, "/api/v1/organisations/?level=province&page_size=2")["results"]
        hub = _json(server, "/api/v1/organisations/?code=000.00.00.G22")["results"]
        if len(provinces) < 2 or not hub:
            raise harness.BenchError("the demo data lacks provinces or the hub 000.00.00.G22")
        sender = SimpleNamespace(code=provinces[0]["code"], name=provinces[0]["name"])
        recipient = SimpleNamespace(code=provinces[1]["code"], name=provinces[1]["name"])
        out = egov_output(
            [
                "api-client",
                "create",
                f"bench-{run}",
                "--organisation",
                sender.code,
                "--scope",
                "documents.send",
            ],
            server.env,
            server.workdir,
        )
        fields = dict(line.split(": ", 1)[0:2] for line in out.splitlines() if ": " in line)
        bearer = token(
            server.host, server.port, fields["client_id"], fields["client_secret"].split()[0]
        )
        pki_dir = Path(server.env["EGOV_VAR_DIR"]) / "pki"
        notation = f"CV-B{run}"
        signer = None
        with override_settings(EGOV_PKI_DIR=pki_dir, EGOV_PKI_AUTO_CREATE=True):
            # The sender's key and certificate exist after this (auto mode), before any fork.
            first = edxml.sign(
                edxml.build(_package(sender, recipient, 1, notation, attachment)), sender
            )
            raw = _raw_rate(sender, recipient, attachment, 3.0 if quick else 10.0)
            harness.log(f"{NAME}: raw sign+verify {raw:.1f}/s (one core)")
            if stream:
                harness.log(f"{NAME}: {total} packages, signed during the run by a child process")
                bodies = multiprocessing.get_context("fork").Queue(maxsize=STREAM_AHEAD)
                bodies.put(first)
                signer = multiprocessing.get_context("fork").Process(
                    target=_signer,
                    args=(bodies, sender, recipient, 2, total, notation, attachment),
                    daemon=True,
                )
                signer.start()
            else:
                harness.log(f"{NAME}: signing {total} packages of {ATTACHMENT // 1024} KB")
                started = time.monotonic()
                bodies = queue.SimpleQueue()
                bodies.put(first)
                for n in range(2, total + 1):
                    bodies.put(
                        edxml.sign(
                            edxml.build(_package(sender, recipient, n, notation, attachment)),
                            sender,
                        )
                    )
                harness.log(f"{NAME}: signed in {time.monotonic() - started:.1f} s")

        headers = {"Content-Type": "application/xml", "Authorization": f"Bearer {bearer}"}
        marker = f"{server.host}:{server.port}"
        lock = threading.Lock()
        state = {"measuring": False, "stop": False, "taken": 0, "done": 0}
        latencies: list[float] = []
        errors: dict[str, int] = {}
        rss: list[tuple[int, dict[int, float]]] = []  # (packages done, MB per worker)
        rss_every = max(1000, packages // 10)

        def next_body() -> bytes | None:
            with lock:
                if state["stop"] or state["taken"] >= total:
                    return None
                state["taken"] += 1
            try:
                return bodies.get(timeout=120) if stream else bodies.get_nowait()
            except queue.Empty:
                return None

        def post(body: bytes) -> tuple[int, bytes]:
            conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            try:
                conn.request("POST", PATH, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            finally:
                conn.close()

        def worker():
            while (body := next_body()) is not None:
                t0 = time.monotonic()
                try:
                    status, answer = post(body)
                    kind = None if status == 201 else f"status {status}"
                except OSError as exc:
                    kind, answer = type(exc).__name__, b""
                elapsed = time.monotonic() - t0
                with lock:
                    if not state["measuring"]:
                        continue
                    if kind is None:
                        latencies.append(elapsed)
                    else:
                        errors[kind] = errors.get(kind, 0) + 1
                        if errors[kind] == 1:
                            harness.log(f"{NAME}: first error {kind}: {answer[:300]!r}")
                    state["done"] += 1

        def sampler():
            logged = 0
            while not state["stop"]:
                if state["measuring"]:
                    done_now = state["done"]
                    rss.append((done_now, _workers_mb(marker)))
                    if done_now >= logged + rss_every:
                        logged = done_now - done_now % rss_every
                        harness.log(
                            f"{NAME}: {done_now} packages, RSS per worker (MB) "
                            f"{sorted(rss[-1][1].values())}, load {os.getloadavg()[0]:.2f}"
                        )
                time.sleep(1.0)

        rss_start = _workers_mb(marker)
        harness.log(f"{NAME}: warm-up, {warmup_n} packages")
        if stream:  # let the signer get ahead of the server
            deadline = time.monotonic() + 120
            while bodies.qsize() < min(STREAM_AHEAD // 2, total) and time.monotonic() < deadline:
                time.sleep(0.5)
        for _ in range(warmup_n):
            status, answer = post(next_body())
            if status != 201:
                raise harness.BenchError(f"warm-up POST: {status} {answer[:500]!r}")
        rss_warm = _workers_mb(marker)
        harness.log(
            f"{NAME}: RSS per worker (MB) at start {sorted(rss_start.values())}, "
            f"after warm-up {sorted(rss_warm.values())}"
        )
        threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
        watcher = threading.Thread(target=sampler)
        cpu_start = _cpu_s(marker)
        client_cpu_start = time.process_time()
        load_start = os.getloadavg()[0]
        state["measuring"] = True
        started = time.monotonic()
        watcher.start()
        for t in threads:
            t.start()
        limit = "until the packages run out" if duration == float("inf") else f"{duration:g} s"
        harness.log(f"{NAME}: measuring {limit}, {packages} packages, {CONNECTIONS} connections")
        deadline = started + duration
        try:
            while time.monotonic() < deadline and any(t.is_alive() for t in threads):
                time.sleep(0.2)
            with lock:
                state["measuring"] = False
                elapsed = time.monotonic() - started
                done = len(latencies)
                cpu_used = _cpu_s(marker) - cpu_start
                client_cpu = time.process_time() - client_cpu_start
                ran_out = state["taken"] >= total
            rss_end = _workers_mb(marker)
        finally:
            state["stop"] = True
            if signer is not None:
                signer.terminate()
                signer.join()
            for t in threads:
                t.join()
            watcher.join()
    latencies.sort()
    rate = done / elapsed if elapsed else 0.0

    def ms(q):
        value = harness.percentile(latencies, q)
        return None if value is None else round(value * 1000, 1)

    def per_worker(sample: dict[int, float]) -> list[float]:
        return sorted(sample.values())

    seen = set(rss_start) | {pid for _, sample in rss for pid in sample}
    peak: dict[int, float] = {}
    for sample in [rss_warm, *(s for _, s in rss), rss_end]:
        for pid, mb in sample.items():
            peak[pid] = max(peak.get(pid, 0.0), mb)
    step = max(1, len(rss) // 10)
    rss_figures = {
        # MB per gunicorn worker (the master is left out): before the warm-up, after it, at
        # the end, and the highest sample of each worker.
        "start_per_worker": per_worker(rss_start),
        "after_warmup_per_worker": per_worker(rss_warm),
        "end_per_worker": per_worker(rss_end),
        "max_per_worker": per_worker(peak),
        "worker_pids_seen": len(seen),  # more than the workers: one was restarted
        "samples": len(rss),
        # (packages done, MB per worker), about ten points across the run
        "series": [[n, per_worker(s)] for n, s in [*rss[::step], *rss[-1:]]],
    }
    figures = {
        "scenario": NAME,
        "primary": f"POST {PATH}",
        "packages_per_s": round(rate, 1),
        "packages": done,
        "duration_s": round(elapsed, 2),
        "p50_ms": ms(50),
        "p99_ms": ms(99),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        # Server CPU (gunicorn processes, not PostgreSQL) per package: steadier than the rate on
        # a shared machine; 2000 / this is the rate two free cores could sustain.
        "server_cpu_ms_per_package": round(cpu_used * 1000 / done, 2) if done else None,
        # This process (8 posting threads and the sampler) shares the two cores with the server.
        "client_cpu_ms_per_package": round(client_cpu * 1000 / done, 2) if done else None,
        "load_average": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "raw_sign_verify_per_s": round(raw, 1),
        "ratio_to_raw": round(rate / raw, 3) if raw else None,
        "rss_mb": rss_figures,
        "ran_out_of_packages": ran_out,
        "packages_signed_during_run": stream,
        "target_packages_per_s": 300,
        "config": {
            "database": server.database,
            "workers": server.workers,
            "connections": CONNECTIONS,
            "attachment_bytes": ATTACHMENT,
            "cpus": os.cpu_count(),
            "quick": quick,
        },
    }
    harness.log(
        f"{NAME}: {figures['packages_per_s']} packages/s, p50 {figures['p50_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, {figures['errors']} errors; raw {raw:.1f}/s"
    )
    return figures
