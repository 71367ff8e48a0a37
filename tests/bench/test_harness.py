"""The benchmark harness (bench/harness.py): percentiles, the response parser, the load generator.

The load generator runs against a small http.server in a thread; gunicorn is never started here,
and no assertion depends on how fast this machine is.
"""

from __future__ import annotations

import random
import shutil
import statistics
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import harness
from bench.harness import ProtocolError, ResponseReader, percentile


def test_percentile_on_known_inputs():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0], 50) == pytest.approx(1.5)
    assert percentile([10, 20, 30, 40], 25) == pytest.approx(17.5)
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_percentile_matches_statistics_inclusive():
    rng = random.Random(20260101)
    values = sorted(rng.expovariate(1 / 30) for _ in range(1000))
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    for q in (1, 10, 50, 90, 99):
        assert percentile(values, q) == pytest.approx(cuts[q - 1])


def test_figures_from_known_latencies():
    result = harness.LoadResult(path="/", duration=2.0, concurrency=4)
    result.latencies.extend(i / 1000 for i in range(1, 101))  # 1..100 ms
    result.errors["status 500"] += 3
    figures = result.figures()
    assert figures["rps"] == 50.0
    assert figures["p50_ms"] == pytest.approx(50.5)
    assert figures["p99_ms"] == pytest.approx(99.01)
    assert figures["max_ms"] == pytest.approx(100.0)
    assert figures["mean_ms"] == pytest.approx(50.5)
    assert figures["requests"] == 100
    assert figures["errors"] == 3
    assert harness.headline(figures) == {
        "rps": 50.0,
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
        "errors": 3,
    }
    assert harness.ratio_to_baseline({"rps": 25.0}, {"rps": 50.0}) == 0.5
    assert harness.ratio_to_baseline({"rps": 25.0}, {"rps": 0}) is None


def feed_bytewise(reader: ResponseReader, raw: bytes) -> bool:
    done = False
    for i in range(len(raw)):
        assert not done, "complete before the last byte"
        done = reader.feed(raw[i : i + 1])
    return done


def test_reader_content_length_keep_alive_and_pipelined_rest():
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello"
    second = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
    reader = ResponseReader()
    assert reader.feed(first + second)
    assert (reader.status, reader.keep_alive, reader.body_bytes) == (200, True, 5)
    reader.next_response()
    assert reader.feed(b"")
    assert (reader.status, reader.keep_alive, reader.body_bytes) == (404, True, 0)
    reader.next_response()
    assert not reader.started


def test_reader_chunked_in_single_bytes():
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\nTrailer: x\r\n\r\n"
    )
    reader = ResponseReader()
    assert feed_bytewise(reader, raw)
    assert reader.status == 200
    assert reader.keep_alive is False


def test_reader_body_until_close_and_cut_short():
    reader = ResponseReader()
    assert not reader.feed(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome")
    assert not reader.feed(b" body")
    assert reader.eof()
    assert (reader.status, reader.keep_alive, reader.body_bytes) == (200, False, 9)

    cut = ResponseReader()
    assert not cut.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    with pytest.raises(ProtocolError, match="incomplete"):
        cut.eof()
    with pytest.raises(ProtocolError, match="closed before response"):
        ResponseReader().eof()
    with pytest.raises(ProtocolError, match="status line"):
        ResponseReader().feed(b"SSH-2.0-OpenSSH\r\n\r\n")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, with Content-Length
    # Headers and body are two writes: without this, Nagle + delayed ACK stall each one 40 ms.
    disable_nagle_algorithm = True

    def do_GET(self):
        if self.path == "/close":
            # HTTP/1.0 style: no length, the body ends when the connection closes.
            self.close_connection = True
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"closing")
            return
        status = 500 if self.path == "/fail" else 200
        body = b'{"status": "ok"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow  # a server in a thread under load
def test_load_generator_against_a_local_server(http_server):
    result = harness.measure(
        http_server, "/healthz", warmup=0.1, duration=0.5, processes=2, connections=2
    )
    figures = result.figures()
    assert figures["errors"] == 0, figures["error_kinds"]
    assert figures["requests"] > 0
    assert figures["rps"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["concurrency"] == 4
    # Keep-alive: connections are reused, so far fewer are opened than requests are made.
    assert figures["connections_opened"] < figures["requests"]


@pytest.mark.slow  # a server in a thread under load
def test_load_generator_reconnects_and_counts_errors(http_server):
    closing = harness.measure(
        http_server, "/close", warmup=0.1, duration=0.5, processes=1, connections=2
    ).figures()
    assert closing["errors"] == 0, closing["error_kinds"]
    assert closing["requests"] > 0
    assert closing["connections_opened"] == closing["requests"]

    failing = harness.measure(
        http_server, "/fail", warmup=0.1, duration=0.5, processes=1, connections=1
    ).figures()
    assert failing["requests"] == 0
    assert failing["errors"] > 0
    assert set(failing["error_kinds"]) == {"status 500"}
    assert failing["p50_ms"] is None


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000/bench/hello/
  2 threads and 8 connections
  4000 requests in 2.00s, 1.00MB read
EGOV-WRK {"requests": 4010, "duration_us": 2005000, "bytes": 1000000, "connect": 0, "read": 0, \
"write": 0, "status": 10, "timeout": 2, "p50_us": 1500, "p90_us": 2500, "p95_us": 3000, \
"p99_us": 4321, "max_us": 9000, "mean_us": 1600.0}
"""


def test_wrk_figures_from_its_report_line():
    figures = harness.wrk_figures(WRK_OUTPUT, "/bench/hello/", 8)
    assert figures["rps"] == 1995.0  # (4010 - 10 non-2xx) / 2.005 s
    assert figures["requests"] == 4000
    assert figures["errors"] == 12
    assert figures["error_kinds"] == {"status": 10, "timeout": 2}
    assert (figures["p50_ms"], figures["p90_ms"], figures["p99_ms"]) == (1.5, 2.5, 4.321)
    assert figures["p95_ms"] == 3.0
    assert (figures["max_ms"], figures["mean_ms"]) == (9.0, 1.6)
    assert figures["duration_s"] == 2.005
    assert figures["concurrency"] == 8
    assert figures["load_generator"] == "wrk"
    assert harness.ratio_to_baseline({"rps": 997.5}, figures) == 0.5
    with pytest.raises(harness.BenchError, match="no figures"):
        harness.wrk_figures("unable to connect to 127.0.0.1:1\n", "/", 8)


def test_wrk_is_installed_from_debian_as_root_and_asked_for_otherwise(monkeypatch):
    installed = []
    monkeypatch.setattr(harness.shutil, "which", lambda name: "/usr/bin/wrk" if installed else None)
    monkeypatch.setattr(harness.os, "geteuid", lambda: 1000)
    with pytest.raises(harness.BenchError, match="apt-get install wrk"):
        harness.ensure_wrk()

    def run(command, **kwargs):
        installed.append(command)
        return harness.subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(harness.os, "geteuid", lambda: 0)
    monkeypatch.setattr(harness.subprocess, "run", run)
    assert harness.ensure_wrk() == "/usr/bin/wrk"
    assert installed[0][:2] == ["apt-get", "update"]
    assert installed[1][:3] == ["apt-get", "install", "-y"] and installed[1][-1] == "wrk"


@pytest.mark.slow  # wrk against a server in a thread
@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (scripts/test does)")
def test_wrk_against_a_local_server(http_server):
    figures = harness.measure_wrk(
        http_server, "/healthz", warmup=0, duration=1, threads=1, connections=2
    )
    assert figures["errors"] == 0, figures["error_kinds"]
    assert figures["requests"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["concurrency"] == 2

    failing = harness.measure_wrk(http_server, "/fail", warmup=0, duration=1, connections=1)
    assert failing["requests"] == 0
    assert failing["errors"] > 0
    assert set(failing["error_kinds"]) == {"status"}
