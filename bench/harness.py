"""Shared benchmark machinery: the platform under test, the load generator, the figures.

A scenario is ``bench/<name>.py`` with ``main(quick: bool) -> dict``; ``egov bench <name>`` runs it
and prints the dict as the last line of its output, as JSON. A scenario typically does::

    from bench import harness

    def main(quick: bool) -> dict:
        baseline = harness.run_baseline(quick)           # same machine, same run
        with harness.running_server(extra_env={...}) as server:
            figures = harness.measure(server, "/", quick=quick).figures()
        return {"scenario": "mine", **harness.headline(figures),
                "ratio_to_baseline": harness.ratio_to_baseline(figures, baseline)}

Only the standard library is used here: the load generator runs in separate processes (spawned,
so they share nothing with the caller), each driving a few connections with asyncio over raw
sockets. HTTP/1.1 keep-alive is used when the server allows it; gunicorn's sync workers close
the connection after every response, so against the platform each request pays a TCP connect,
which is counted in its latency (as a client without a proxy in front would see it).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import math
import multiprocessing
import os
import queue
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
# Load shape: LOAD_PROCESSES processes x CONNECTIONS_PER_PROCESS connections, each a closed loop
# (send a request, wait for the whole response, send the next one).
LOAD_PROCESSES = 2
CONNECTIONS_PER_PROCESS = 4
# (warm-up, measured duration) in seconds, per endpoint.
FULL = (2.0, 10.0)
QUICK = (0.5, 2.0)
REQUEST_TIMEOUT = 10.0
READY_TIMEOUT = 60.0


class BenchError(RuntimeError):
    """The benchmark could not run (server did not start, preparation failed...)."""


def log(message: str) -> None:
    """Progress for the person watching; stderr, so stdout ends with the JSON line only."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def durations(quick: bool) -> tuple[float, float]:
    """(warm-up, measured duration) in seconds for one endpoint."""
    return QUICK if quick else FULL


def default_workers() -> int:
    """Web server processes: the same setting and default as ``egov serve``."""
    return int(os.environ.get("EGOV_WEB_WORKERS", "3"))


def default_gunicorn_args() -> list[str]:
    """Extra gunicorn options for every scenario's server, from ``$EGOV_BENCH_GUNICORN_ARGS``.

    The servers run gunicorn's sync workers (one request at a time, ``Connection: close``), not
    ``egov serve``'s gthread workers: measured, see bench/README.md. The variable is how to
    measure another way, e.g. ``--worker-class gthread --threads 4 --keep-alive 5``.
    """
    return shlex.split(os.environ.get("EGOV_BENCH_GUNICORN_ARGS", ""))


# --- Figures -----------------------------------------------------------------------------------


def _poster(post, processes, warmup, duration, offset, barrier, results) -> None:
    barrier.wait()
    start = time.perf_counter()
    counted: dict[str, int] = {}
    number = offset
    while (now := time.perf_counter()) < start + warmup + duration:
        status = post(number)
        number += processes
        # Counted only if sent and answered inside the measured window.
        if now >= start + warmup and time.perf_counter() <= start + warmup + duration:
            counted[str(status)] = counted.get(str(status), 0) + 1
    results.put(counted)


def post_in_processes(
    post: Callable[[int], int],
    *,
    warmup: float,
    duration: float,
    processes: int = 4,
    success: str = "201",
) -> dict:
    """Writes through the API from ``processes`` processes at once (a write holds a lock or a
    transaction: one process would measure the client): each calls ``post(number)`` (numbers
    offset, then stepped by ``processes``: all different) until ``warmup + duration`` is over;
    ``post`` answers the HTTP status (0: no answer) and must be picklable (a module-level
    function or a ``functools.partial`` of one). The statuses counted in the window:
    ``per_s`` (the ``success`` ones per second), ``answers`` (count per status) and
    ``errors`` (the others)."""
    barrier = multiprocessing.Barrier(processes)
    results = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=_poster, args=(post, processes, warmup, duration, i, barrier, results)
        )
        for i in range(processes)
    ]
    for w in workers:
        w.start()
    answers: dict[str, int] = {}
    for _ in workers:
        for status, n in results.get().items():
            answers[status] = answers.get(status, 0) + n
    for w in workers:
        w.join()
    return {
        "per_s": round(answers.get(success, 0) / duration, 1),
        "answers": answers,
        "errors": sum(n for s, n in answers.items() if s != success),
    }


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) of already sorted values, by linear interpolation.

    Same definition as numpy's default and ``statistics.quantiles(method="inclusive")``: the
    value at rank (n - 1) * q / 100, interpolated between its two neighbours. None if empty.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, not {q}")
    n = len(sorted_values)
    if n == 0:
        return None
    rank = (n - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, n - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


@dataclass
class LoadResult:
    """What the load processes saw for one endpoint during the measured window."""

    path: str
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: Counter = field(default_factory=Counter)  # kind -> count
    connections: int = 0  # TCP connections opened during the measured window
    concurrency: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def figures(self) -> dict:
        ordered = sorted(self.latencies)

        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 3)

        return {
            "path": self.path,
            "rps": round(self.requests / self.duration, 1),
            "p50_ms": ms(percentile(ordered, 50)),
            "p90_ms": ms(percentile(ordered, 90)),
            "p99_ms": ms(percentile(ordered, 99)),
            "max_ms": ms(ordered[-1] if ordered else None),
            "mean_ms": ms(sum(ordered) / len(ordered) if ordered else None),
            "requests": self.requests,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "connections_opened": self.connections,
            "concurrency": self.concurrency,
            "duration_s": self.duration,
            "load_generator": "python",
        }


def headline(figures: dict) -> dict:
    """The top-level figures of a scenario, from its primary endpoint's figures."""
    return {key: figures[key] for key in ("rps", "p50_ms", "p99_ms", "errors")}


def run_baseline(quick: bool, server: Server | None = None) -> dict:
    """The baseline's figures, measured now (for a scenario's ratio_to_baseline).

    With ``server``: the hello-world view of that very server (same process, settings and
    workers as the scenario's endpoints), loaded with wrk; its ``rps``, ``p50_ms``, ``p99_ms``,
    ``errors`` and ``endpoints``. Without: the whole ``baseline`` scenario on a server of its own.
    """
    from bench import baseline

    if server is None:
        return baseline.main(quick)
    return baseline.measure_primary(server, quick)


def ratio_to_baseline(figures: dict, baseline: dict) -> float | None:
    """Requests per second of a scenario's primary endpoint over the baseline's (>1: faster)."""
    if not baseline.get("rps"):
        return None
    return round(figures["rps"] / baseline["rps"], 3)


# --- HTTP response parsing ---------------------------------------------------------------------


class ProtocolError(Exception):
    pass


class ResponseReader:
    """Incremental parser of one HTTP/1.x response at a time (status, headers, body).

    ``feed(data)`` returns True once the response is complete; bytes past its end are kept for
    the next one. ``eof()`` is called when the server closes the connection: it completes a body
    delimited by the close, or raises ProtocolError if the response was cut short.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.reset()

    def reset(self) -> None:
        self.status = 0
        self.keep_alive = False
        self.body_bytes = 0
        self._state = "head"  # head, length, chunk-size, chunk-data, trailer, close, done
        self._remaining = 0
        self._chunk_started = False

    @property
    def started(self) -> bool:
        return bool(self.buffer) or self._state != "head"

    def feed(self, data: bytes) -> bool:
        self.buffer += data
        return self._advance()

    def eof(self) -> bool:
        if self._state == "close":
            self._state = "done"
            self.keep_alive = False
            return True
        if self._state == "done":
            return True
        raise ProtocolError("incomplete response" if self.started else "closed before response")

    def next_response(self) -> None:
        """Forget the finished response, keeping bytes already received for the next one."""
        self.reset()
        if self.buffer:
            self._advance()

    def _advance(self) -> bool:
        buf = self.buffer
        while True:
            state = self._state
            if state == "head":
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > 65536:
                        raise ProtocolError("response head too long")
                    return False
                head = bytes(buf[:end]).decode("latin-1")
                del buf[: end + 4]
                self._parse_head(head)
            elif state == "length":
                take = min(self._remaining, len(buf))
                del buf[:take]
                self._remaining -= take
                self.body_bytes += take
                if self._remaining:
                    return False
                self._state = "done"
            elif state == "chunk-size":
                end = buf.find(b"\r\n")
                if end < 0:
                    return False
                size_text = bytes(buf[:end]).split(b";", 1)[0].strip()
                del buf[: end + 2]
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise ProtocolError(f"bad chunk size {size_text!r}") from None
                if size == 0:
                    self._state = "trailer"
                else:
                    self._remaining = size + 2  # the chunk and its CRLF
                    self._state = "chunk-data"
            elif state == "chunk-data":
                take = min(self._remaining, len(buf))
                del buf[:take]
                self._remaining -= take
                if self._remaining:
                    return False
                self._state = "chunk-size"
            elif state == "trailer":
                end = buf.find(b"\r\n")
                if end < 0:
                    return False
                del buf[: end + 2]
                if end == 0:
                    self._state = "done"
            elif state == "close":
                self.body_bytes += len(buf)
                buf.clear()
                return False
            else:  # done
                return True
            if self._state == "done":
                return True

    def _parse_head(self, head: str) -> None:
        status_line, *header_lines = head.split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ProtocolError(f"bad status line {status_line[:80]!r}")
        try:
            self.status = int(parts[1])
        except ValueError:
            raise ProtocolError(f"bad status line {status_line[:80]!r}") from None
        length: int | None = None
        chunked = False
        connection = ""
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    raise ProtocolError(f"bad Content-Length {value.strip()[:20]!r}") from None
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "connection":
                connection = value.strip().lower()
        if parts[0] == "HTTP/1.1":
            self.keep_alive = "close" not in connection
        else:
            self.keep_alive = "keep-alive" in connection
        if 100 <= self.status < 200 or self.status in (204, 304):
            # 1xx (e.g. 100 Continue) are not final responses; we never ask for them.
            self._state = "done" if self.status >= 200 else "head"
        elif chunked:
            self._state = "chunk-size"
        elif length is not None:
            self._remaining = length
            self._state = "length" if length else "done"
        else:
            self._state = "close"
            self.keep_alive = False


# --- Load generator ----------------------------------------------------------------------------


def build_request(host: str, port: int, path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "User-Agent: egov-bench",
        "Accept: */*",
    ]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class _Window:
    start: float  # perf_counter; requests completing before this are warm-up
    end: float  # no request is started after this; completions after it are not counted


async def _connection(
    address: tuple[str, int],
    request: bytes,
    window: _Window,
    expect: int,
    latencies: array,
    errors: Counter,
    opened: list[int],
) -> None:
    loop = asyncio.get_running_loop()
    reader = ResponseReader()
    sock: socket.socket | None = None

    def drop() -> None:
        nonlocal sock
        if sock is not None:
            sock.close()
            sock = None
        reader.buffer.clear()
        reader.reset()

    try:
        while (started := time.perf_counter()) < window.end:
            retried = False
            connected = False
            while True:
                reused = sock is not None
                try:
                    async with asyncio.timeout(REQUEST_TIMEOUT):
                        if sock is None:
                            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                            sock.setblocking(False)
                            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                            await loop.sock_connect(sock, address)
                            connected = True
                        await loop.sock_sendall(sock, request)
                        while True:
                            data = await loop.sock_recv(sock, 65536)
                            if not data:
                                reader.eof()
                                break
                            if reader.feed(data):
                                break
                    status, keep_alive = reader.status, reader.keep_alive
                    error = None
                except TimeoutError:
                    error = "timeout"
                except (ProtocolError, OSError) as exc:
                    stale = isinstance(exc, ConnectionResetError | BrokenPipeError) or (
                        str(exc) == "closed before response"
                    )
                    if reused and stale and not retried:
                        # The server closed an idle keep-alive connection: reconnect, once.
                        drop()
                        retried = True
                        continue
                    error = (
                        f"protocol: {exc}"
                        if isinstance(exc, ProtocolError)
                        else exc.__class__.__name__
                    )
                break
            finished = time.perf_counter()
            counted = window.start <= finished <= window.end
            if error is not None:
                drop()
                if counted:
                    errors[error] += 1
                await asyncio.sleep(0.01)  # do not spin on a refusing server
                continue
            if keep_alive:
                reader.next_response()
            else:
                drop()
            if not counted:
                continue
            opened[0] += connected
            if status == expect:
                latencies.append(finished - started)
            else:
                errors[f"status {status}"] += 1
    finally:
        drop()


async def _drive(address, request, warmup, duration, connections, expect):
    now = time.perf_counter()
    window = _Window(start=now + warmup, end=now + warmup + duration)
    latencies: array = array("d")
    errors: Counter = Counter()
    opened = [0]
    await asyncio.gather(
        *(
            _connection(address, request, window, expect, latencies, errors, opened)
            for _ in range(connections)
        )
    )
    return latencies, errors, opened[0]


def _load_process(address, request, warmup, duration, connections, expect, barrier, results):
    """One load process (spawned): wait for the others, run, send the figures back."""
    try:
        barrier.wait(timeout=60)
        latencies, errors, opened = asyncio.run(
            _drive(address, request, warmup, duration, connections, expect)
        )
        results.put((latencies, dict(errors), opened))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent cleans up
        pass


def measure(
    target: Server | tuple[str, int],
    path: str,
    *,
    quick: bool = False,
    warmup: float | None = None,
    duration: float | None = None,
    processes: int = LOAD_PROCESSES,
    connections: int = CONNECTIONS_PER_PROCESS,
    expect: int = 200,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """Load ``path`` from ``processes`` separate processes x ``connections`` each.

    The first ``warmup`` seconds are not counted; then, for ``duration`` seconds, every response
    that completes is counted: with status ``expect`` its latency is recorded (from the start of
    the request, including a TCP connect if one was needed, to its last byte), otherwise it is
    an error (as are timeouts, resets and malformed responses). Against a ``Server``, one
    request is made first and a status other than ``expect`` stops the run (BenchError).
    """
    default_warmup, default_duration = durations(quick)
    warmup = default_warmup if warmup is None else warmup
    duration = default_duration if duration is None else duration
    if isinstance(target, Server):
        target.check(path, expect=expect, headers=headers)
        host, port = target.host, target.port
    else:
        host, port = target
    request = build_request(host, port, path, headers)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=_load_process,
            args=((host, port), request, warmup, duration, connections, expect, barrier, results),
            daemon=True,
        )
        for _ in range(processes)
    ]
    result = LoadResult(path=path, duration=duration, concurrency=processes * connections)
    try:
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60 + warmup + duration + REQUEST_TIMEOUT
        reported = 0
        while reported < processes:
            # Checked before waiting: a process may report and exit between two looks.
            gone = not any(w.is_alive() for w in workers)
            try:
                latencies, errors, opened = results.get(timeout=1.0)
            except queue.Empty:
                # A process that died without reporting (or a run that never ends) is a failure.
                if gone or time.monotonic() > deadline:
                    codes = [w.exitcode for w in workers]
                    raise BenchError(
                        f"load processes did not report (exit codes {codes})"
                    ) from None
                continue
            reported += 1
            result.latencies.extend(latencies)
            result.errors.update(errors)
            result.connections += opened
        for worker in workers:
            worker.join(timeout=10)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=5)
        results.close()
    return result


# --- wrk, the native load generator --------------------------------------------------------------

# wrk calls done() once at the end with its totals; this prints them as one marked JSON line.
WRK_REPORT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'EGOV-WRK {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.3f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""
WRK_MARK = "EGOV-WRK "
WRK_ERROR_KINDS = ("connect", "read", "write", "status", "timeout")


def ensure_wrk() -> str:
    """The path of ``wrk``, installing Debian's package first if it is missing (as root, like
    scripts/lib.sh's apt_install); BenchError saying what to install otherwise."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError(
            "wrk is not installed: install the Debian package first (apt-get install wrk)"
        )
    log("installing wrk (Debian package)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
            raise BenchError(f"'{' '.join(command)}' failed (exit {done.returncode}):\n{tail}")
    found = shutil.which("wrk")
    if not found:
        raise BenchError("the wrk package was installed but no wrk command is on PATH")
    return found


def wrk_figures(output: str, path: str, concurrency: int) -> dict:
    """The figures of one wrk run from its output (the line WRK_REPORT prints), with the same
    keys as ``LoadResult.figures()``. wrk counts a response other than 2xx/3xx as a ``status``
    error; its latencies cover every response (from the request's first byte written to the
    response's last byte read: a TCP connect is not included)."""
    import json

    lines = [line for line in output.splitlines() if line.startswith(WRK_MARK)]
    if not lines:
        raise BenchError(f"wrk printed no figures:\n{output.strip()[-2000:]}")
    raw = json.loads(lines[-1][len(WRK_MARK) :])
    duration = raw["duration_us"] / 1e6
    kinds = {kind: raw[kind] for kind in WRK_ERROR_KINDS if raw[kind]}
    successful = raw["requests"] - raw["status"]

    def ms(microseconds: float) -> float | None:
        return round(microseconds / 1000, 3) if raw["requests"] else None

    return {
        "path": path,
        "rps": round(successful / duration, 1) if duration else 0.0,
        "p50_ms": ms(raw["p50_us"]),
        "p90_ms": ms(raw["p90_us"]),
        # Older reports (a wrk script of another checkout) have no p95.
        "p95_ms": ms(raw["p95_us"]) if "p95_us" in raw else None,
        "p99_ms": ms(raw["p99_us"]),
        "max_ms": ms(raw["max_us"]),
        "mean_ms": ms(raw["mean_us"]),
        "requests": successful,
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "connections_opened": None,  # wrk does not say
        "concurrency": concurrency,
        "duration_s": round(duration, 3),
        "load_generator": "wrk",
    }


def measure_wrk(
    target: Server | tuple[str, int],
    path: str,
    *,
    quick: bool = False,
    warmup: float | None = None,
    duration: float | None = None,
    threads: int = LOAD_PROCESSES,
    connections: int = CONNECTIONS_PER_PROCESS,
    headers: dict[str, str] | None = None,
) -> dict:
    """Load GET ``path`` with wrk: ``threads`` threads x ``connections`` each (the same 8
    connections as ``measure`` by default), a warm-up run that is not counted, then the measured
    run; its figures (see ``wrk_figures``). wrk takes whole seconds: both are rounded up.
    Against a ``Server``, one request is made first and a status other than 200 stops the run."""
    default_warmup, default_duration = durations(quick)
    warmup = default_warmup if warmup is None else warmup
    duration = default_duration if duration is None else duration
    if isinstance(target, Server):
        target.check(path, headers=headers)
        host, port = target.host, target.port
    else:
        host, port = target
    wrk = ensure_wrk()
    total = threads * connections
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="egov-wrk-") as script:
        script.write(WRK_REPORT)
        script.flush()
        output = ""
        for seconds in (warmup, duration):
            if seconds <= 0:
                continue
            command = [
                wrk,
                f"--threads={threads}",
                f"--connections={total}",
                f"--duration={math.ceil(seconds)}s",
                f"--timeout={REQUEST_TIMEOUT:g}s",
                f"--script={script.name}",
            ]
            for name, value in (headers or {}).items():
                command += ["--header", f"{name}: {value}"]
            command.append(f"http://{host}:{port}{path}")
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                check=False,
                timeout=math.ceil(seconds) + 60,
            )
            output = done.stdout + done.stderr
            if done.returncode:
                raise BenchError(f"wrk failed (exit {done.returncode}):\n{output.strip()[-2000:]}")
    return wrk_figures(output, path, total)


# --- The platform under test -------------------------------------------------------------------


@dataclass
class Server:
    host: str
    port: int
    env: dict[str, str]
    workdir: Path
    workers: int
    database: str  # "sqlite" or "postgresql"
    log_path: Path  # gunicorn's output and the application's log

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        return _tail(self.log_path, lines)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One plain request (not measured): (status, body)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def check(self, *paths: str, expect: int = 200, headers: dict[str, str] | None = None) -> None:
        """Measuring a broken page is pointless: each path must answer ``expect`` once."""
        for path in paths:
            status, _ = self.get(path, headers)
            if status != expect:
                raise BenchError(
                    f"GET {path} answered {status}, not {expect}; the server's log ends with:\n"
                    + self.log_tail()
                )


def free_port(host: str = HOST) -> int:
    """A free port: any, or the first free one of ``$BENCH_PORTS`` ("18500-18599") on a
    machine whose users share out port ranges."""
    span = os.environ.get("BENCH_PORTS", "").strip()
    candidates = [0]
    if span:
        low, _, high = span.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise BenchError(f"no free port in BENCH_PORTS={span}")


def production_env(workdir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a production instance living in ``workdir``.

    The caller's EGOV_* variables are not inherited (the run must not depend on someone's shell);
    a PostgreSQL DATABASE_URL is kept, anything else becomes a fresh SQLite file in ``workdir``.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("EGOV_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        database_url = f"sqlite:///{workdir / 'egov.sqlite3'}"
    env.update(
        {
            "EGOV_ENV": "production",
            "EGOV_SECRET_KEY": secrets.token_urlsafe(50),
            "EGOV_ALLOWED_HOSTS": HOST,
            "EGOV_SSL_REDIRECT": "0",
            "EGOV_HSTS_SECONDS": "0",
            "EGOV_VAR_DIR": str(workdir / "var"),
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
            # The hello-world views every scenario's ratio is measured against (bench/README.md).
            "EGOV_BENCH_BASELINE": "1",
        }
    )
    env.update(extra_env or {})
    return env


def run_egov(args: Sequence[str], env: dict[str, str], cwd: Path, *, timeout: float = 600) -> str:
    """Run the egov CLI (``python -m egov.cli ARGS``) in ``cwd`` with ``env``; its standard
    output. BenchError with the last lines of its output when it fails."""
    command = [sys.executable, "-m", "egov.cli", *args]
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout
    )
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise BenchError(f"'egov {' '.join(args)}' failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def _die_with_parent() -> None:
    """In the server's child process: get SIGTERM if the benchmark process dies (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait_ready(process: subprocess.Popen, host: str, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"the server stopped with exit code {process.returncode}:\n{_tail(log_path)}"
            )
        connection = http.client.HTTPConnection(host, port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise BenchError(
        f"/healthz did not answer 200 within {READY_TIMEOUT:.0f} s:\n{_tail(log_path)}"
    )


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    # Workers may outlive a master that was killed: make sure the group is gone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the run like Ctrl-C does, so the finally blocks stop the server."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def running_server(
    *,
    workers: int | None = None,
    extra_env: dict[str, str] | None = None,
    gunicorn_args: Sequence[str] = (),
    prepare: bool = True,
) -> Iterator[Server]:
    """The platform as in production, on a free loopback port, for the ``with`` block.

    A temporary directory holds its SQLite database, var/ and the server log. ``prepare`` runs
    ``migrate``, ``load-demo`` and ``collectstatic`` first. The server runs in its own process
    group, which is killed on the way out, whatever happens (exception, Ctrl-C, SIGTERM).
    """
    workers = workers or default_workers()
    with (
        _sigterm_as_interrupt(),
        tempfile.TemporaryDirectory(prefix="egov-bench-") as tmp,
    ):
        workdir = Path(tmp)
        env = production_env(workdir, extra_env)
        database = (
            "postgresql" if env["DATABASE_URL"].startswith(("postgres", "pgsql")) else "sqlite"
        )
        if prepare:
            log(f"preparing a production instance ({database}) in {workdir}")
            for args in (["migrate", "--noinput"], ["load-demo"], ["collectstatic", "--noinput"]):
                run_egov([*args, "--verbosity", "1"], env, workdir)
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "egov.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            *default_gunicorn_args(),
            *gunicorn_args,
        ]
        log_path = workdir / "server.log"
        with open(log_path, "wb") as server_log:
            process = subprocess.Popen(
                command,
                env=env,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # preexec_fn is only safe in a process without other threads.
                preexec_fn=_die_with_parent if threading.active_count() == 1 else None,
            )
        try:
            _wait_ready(process, HOST, port, log_path)
            extra = " ".join([*default_gunicorn_args(), *gunicorn_args])
            log(f"server ready: {workers} gunicorn workers {extra} on http://{HOST}:{port}/")
            yield Server(
                host=HOST,
                port=port,
                env=env,
                workdir=workdir,
                workers=workers,
                database=database,
                log_path=log_path,
            )
        finally:
            _stop(process)
            log("server stopped")
