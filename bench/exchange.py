"""Scenario ``exchange``: signed edXML packages through the hub, per second, over HTTP.

The platform runs as in production (gunicorn, production settings, a development CA so the hub
can sign its copies and receipts). This process signs packages beforehand, each with a 100 KB
attachment and a DocumentId of its own, as the sending province, and posts them with an API
client's token from several connections, in two windows on the same server:

- ``single``: one package per request, ``POST /api/v1/exchange/packages/``;
- ``batch``: ``BENCH_BATCH`` packages (default 50) per request,
  ``POST /api/v1/exchange/packages/batch/`` (what a system sending many documents does).

Each accepted package means the hub parsed and validated it, verified its XML signature and
certificate chain, checked the sender, stored the sender's bytes, signed its own copy
(TraceHeader appended; what it added is kept, ~3 kB), wrote the package, the delivery in the
recipient's mailbox, two evidence rows and an audit row, and answered with its signed receipt:
the same work either way.

Figures per window (``modes``): packages per second, request latency percentiles (a request is
a whole batch in ``batch``), errors, ``server_cpu_ms_per_package`` (CPU seconds of the gunicorn
processes in the window / packages: steadier than the rate when the machine is shared) with the
load average. The headline ``packages_per_s`` is the batch window's (``BENCH_MODES=single`` or
``batch`` runs one window). ``raw_sign_verify_per_s``: this process signing and verifying the
same kind of package with the same keys, one core, in the same run; ``ratio_to_raw`` =
packages_per_s / raw_sign_verify_per_s. ``rss_mb``: resident memory (MB) of each gunicorn worker
before the warm-up, after it, at the end, the highest sample of each, and a series of about ten
(packages done in the window, MB per worker) points, sampled every second.

Sizes: ``BENCH_PACKAGES`` packages per window (default 3,000 quick, 20,000 full) and
``BENCH_SECONDS`` for each window (default 10 s quick, 60 s full; with ``BENCH_PACKAGES`` alone a
window lasts until its packages are posted). Up to 20,000 packages are signed before the run;
more are signed during it by a child process (100,000 signed packages would take 14 GB of
memory), which takes some CPU from the server: a memory run, ``BENCH_PACKAGES=100000
BENCH_MODES=batch``, logs the RSS per worker every 10,000 packages.

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
from bench.lifecycle import token

NAME = "exchange"
PATH = "/api/v1/exchange/packages/"
BATCH_PATH = "/api/v1/exchange/packages/batch/"
ATTACHMENT = 100 * 1024
# Posting threads (BENCH_CONNECTIONS): enough to keep every gunicorn worker busy.
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
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


def _machine_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores, /proc/stat): the server, the
    database, this client and anything else running."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


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


def _multipart(bodies: list[bytes]) -> tuple[bytes, str]:
    """A batch request's body: one file part named ``package`` per package."""
    boundary = secrets.token_hex(16)
    chunks = []
    for i, body in enumerate(bodies):
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="package"; '
            f'filename="p{i}.xml"\r\nContent-Type: application/xml\r\n\r\n'.encode()
        )
        chunks += [body, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


class _Phase:
    """One way of sending (``batch`` packages per request; 1: one package per request, its own
    endpoint) for ``duration`` seconds or ``packages`` packages, from CONNECTIONS threads, on the
    running server; the figures of that window."""

    def __init__(self, server, bearer, next_bodies, marker, batch, packages, duration):
        self.server, self.marker, self.batch = server, marker, batch
        self.next_bodies, self.packages, self.duration = next_bodies, packages, duration
        self.auth = f"Bearer {bearer}"
        self.lock = threading.Lock()
        self.state = {"measuring": False, "stop": False, "done": 0, "taken": 0}
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.rss: list[tuple[int, dict[int, float]]] = []

    def post(self, bodies: list[bytes]) -> tuple[int, bytes]:
        if self.batch == 1:
            path, body, kind = PATH, bodies[0], "application/xml"
        else:
            path, (body, kind) = BATCH_PATH, _multipart(bodies)
        headers = {"Content-Type": kind, "Authorization": self.auth}
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=120)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def _worker(self):
        while not self.state["stop"]:
            with self.lock:
                n = min(self.batch, self.packages - self.state["taken"])
                self.state["taken"] += max(n, 0)
            bodies = self.next_bodies(n) if n > 0 else []
            if not bodies:
                return
            t0 = time.monotonic()
            try:
                status, answer = self.post(bodies)
                kind = None if status == 201 else f"status {status}"
            except OSError as exc:
                kind, answer = type(exc).__name__, b""
            elapsed = time.monotonic() - t0
            with self.lock:
                if not self.state["measuring"]:
                    continue
                if kind is None:
                    self.latencies.append(elapsed)
                    self.state["done"] += len(bodies)
                else:
                    self.errors[kind] = self.errors.get(kind, 0) + 1
                    if self.errors[kind] == 1:
                        harness.log(f"{NAME}: first error {kind}: {answer[:300]!r}")

    def _sampler(self, every: int):
        logged = 0
        while not self.state["stop"]:
            done_now = self.state["done"]
            self.rss.append((done_now, _workers_mb(self.marker)))
            if done_now >= logged + every:
                logged = done_now - done_now % every
                harness.log(
                    f"{NAME}: {done_now} packages, RSS per worker (MB) "
                    f"{sorted(self.rss[-1][1].values())}, load {os.getloadavg()[0]:.2f}"
                )
            time.sleep(1.0)

    def run(self) -> dict:
        threads = [threading.Thread(target=self._worker) for _ in range(CONNECTIONS)]
        watcher = threading.Thread(target=self._sampler, args=(max(1000, self.packages // 10),))
        cpu_start = _cpu_s(self.marker)
        machine_start = _machine_cpu_s()
        client_cpu_start = time.process_time()
        load_start = os.getloadavg()[0]
        self.state["measuring"] = True
        started = time.monotonic()
        watcher.start()
        for t in threads:
            t.start()
        mode = "one package per request" if self.batch == 1 else f"batches of {self.batch}"
        limit = "until done" if self.duration == float("inf") else f"{self.duration:g} s"
        harness.log(f"{NAME}: measuring {mode}, {limit}, at most {self.packages} packages")
        deadline = started + self.duration
        try:
            while time.monotonic() < deadline and any(t.is_alive() for t in threads):
                time.sleep(0.2)
            with self.lock:
                self.state["measuring"] = False
                elapsed = time.monotonic() - started
                done = self.state["done"]
                cpu_used = _cpu_s(self.marker) - cpu_start
                client_cpu = time.process_time() - client_cpu_start
                machine_cpu = _machine_cpu_s() - machine_start
        finally:
            self.state["stop"] = True
            for t in threads:
                t.join()
            watcher.join()
        self.latencies.sort()

        def ms(q):
            value = harness.percentile(self.latencies, q)
            return None if value is None else round(value * 1000, 1)

        return {
            "batch": self.batch,
            "packages_per_s": round(done / elapsed, 1) if elapsed else 0.0,
            "packages": done,
            "requests": len(self.latencies),
            "duration_s": round(elapsed, 2),
            # Latency of a request (one package, or a whole batch).
            "p50_ms": ms(50),
            "p99_ms": ms(99),
            "errors": sum(self.errors.values()),
            "error_kinds": self.errors,
            # Server CPU (gunicorn processes, not PostgreSQL) per package: steadier than the
            # rate on a shared machine; 2000 / this is the rate two free cores could sustain.
            "server_cpu_ms_per_package": round(cpu_used * 1000 / done, 2) if done else None,
            # This process (the posting threads and the sampler) shares the cores with the server.
            "client_cpu_ms_per_package": round(client_cpu * 1000 / done, 2) if done else None,
            # Every core's busy time (server, PostgreSQL, client, anything else) per package:
            # on a quiet machine, cpus * 1000 / this is the rate the machine could sustain.
            "machine_cpu_ms_per_package": round(machine_cpu * 1000 / done, 2) if done else None,
            "load_average": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        }


def main(quick: bool) -> dict:
    from django.test import override_settings

    from egov.exchange import edxml

    warmup_n = 30 if quick else 200
    batch = int(os.environ.get("BENCH_BATCH", "50"))
    # BENCH_PACKAGES alone: post that many per phase (after the warm-up), however long it takes.
    packages = int(os.environ.get("BENCH_PACKAGES") or (3000 if quick else 20000))
    seconds = os.environ.get("BENCH_SECONDS")
    if seconds:
        duration = float(seconds)
    else:
        duration = float("inf") if os.environ.get("BENCH_PACKAGES") else (10.0 if quick else 60.0)
    # One package per request first (its own window), then batches (the headline); BENCH_MODES
    # picks: "single,batch" (default), "batch" or "single".
    modes = [m.strip() for m in os.environ.get("BENCH_MODES", "single,batch").split(",") if m]
    sizes = [1 if m == "single" else batch for m in modes]
    if not sizes or any(m not in ("single", "batch") for m in modes) or not 1 <= batch <= 100:
        raise harness.BenchError("BENCH_MODES: single and/or batch; BENCH_BATCH: 1 to 100")
    warm_batches = 3 if batch > 1 and batch in sizes else 0  # batch posts of the warm-up
    total = warmup_n + warm_batches * batch + packages * len(sizes)
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
        out = harness.run_egov(
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

        take_lock = threading.Lock()
        taken = {"n": 0}

        def next_bodies(n: int) -> list[bytes]:
            with take_lock:
                n = min(n, total - taken["n"])
                taken["n"] += n
            out = []
            for _ in range(n):
                try:
                    out.append(bodies.get(timeout=120) if stream else bodies.get_nowait())
                except queue.Empty:
                    break
            return out

        marker = f"{server.host}:{server.port}"
        rss_start = _workers_mb(marker)
        harness.log(f"{NAME}: warm-up, {warmup_n} packages")
        if stream:  # let the signer get ahead of the server
            deadline = time.monotonic() + 120
            while bodies.qsize() < min(STREAM_AHEAD // 2, total) and time.monotonic() < deadline:
                time.sleep(0.5)
        warm = _Phase(server, bearer, next_bodies, marker, 1, warmup_n, 0)
        posts = [1] * warmup_n + [batch] * warm_batches
        for size in posts:  # every worker sees both endpoints before the measured windows
            warm.batch = size
            status, answer = warm.post(next_bodies(size))
            if status != 201:
                raise harness.BenchError(f"warm-up POST: {status} {answer[:500]!r}")
        rss_warm = _workers_mb(marker)
        harness.log(
            f"{NAME}: RSS per worker (MB) at start {sorted(rss_start.values())}, "
            f"after warm-up {sorted(rss_warm.values())}"
        )
        phases = []
        try:
            for size in sizes:
                phase = _Phase(server, bearer, next_bodies, marker, size, packages, duration)
                phases.append((phase, phase.run()))
                harness.log(f"{NAME}: {phases[-1][1]}")
            rss_end = _workers_mb(marker)
            ran_out = taken["n"] >= total
        finally:
            if signer is not None:
                signer.terminate()
                signer.join()
    rss = [point for phase, _ in phases for point in phase.rss]

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
        # (packages done in its phase, MB per worker), about ten points across the run
        "series": [[n, per_worker(s)] for n, s in [*rss[::step], *rss[-1:]]],
    }
    by_mode = {("single" if f["batch"] == 1 else "batch"): f for _, f in phases}
    headline = by_mode.get("batch") or by_mode["single"]
    rate = headline["packages_per_s"]
    figures = {
        "scenario": NAME,
        "primary": f"POST {BATCH_PATH if headline['batch'] > 1 else PATH}",
        # The headline: batches if measured (what an integrated system sending many documents
        # does), else one package per request; both windows are below.
        "packages_per_s": rate,
        "server_cpu_ms_per_package": headline["server_cpu_ms_per_package"],
        "modes": by_mode,
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
            "batch": batch,
            "attachment_bytes": ATTACHMENT,
            "cpus": os.cpu_count(),
            "quick": quick,
        },
    }
    for mode, f in by_mode.items():
        harness.log(
            f"{NAME}: {mode}: {f['packages_per_s']} packages/s, "
            f"{f['server_cpu_ms_per_package']} ms server CPU/package, p50 {f['p50_ms']} ms, "
            f"p99 {f['p99_ms']} ms, {f['errors']} errors"
        )
    harness.log(f"{NAME}: raw sign+verify {raw:.1f}/s, ratio {figures['ratio_to_raw']}")
    return figures
