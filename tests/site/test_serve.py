"""`egov serve` with browsers and a busy machine (issue 13): idle connections, an occupied port
for the development e-ID provider, the first start's progress."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from egov.accounts.oidc import bundled
from egov.core import registry
from egov.core.progress import Progress
from egov.site.management.commands import serve
from egov.site.management.commands.load_demo import load_demo

from ..accounts.oidc_support import free_port


def server_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_URL"))}
    return {
        **env,
        "EGOV_ENV": "test",
        "EGOV_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def idle_connection_log(tmp_path: Path, worker_class: str) -> tuple[str, int]:
    """gunicorn as serve starts it (1 worker, 2 s timeout): a connection that sends nothing for
    6 s, as a browser's preconnect or kept-alive socket does, then a request on a new one."""
    port = free_port()
    argv = serve.gunicorn_command(
        "127.0.0.1", port, workers=1, worker_class=worker_class, threads=2, timeout=2
    )
    log_path = tmp_path / f"{worker_class}.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            argv, env=server_env(tmp_path), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:  # until the worker has loaded the application and answers
            assert time.monotonic() < deadline and server.poll() is None, log_path.read_text()
            try:
                httpx.get(f"http://127.0.0.1:{port}/favicon.ico", timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port)):
            time.sleep(6)
        status = httpx.get(f"http://127.0.0.1:{port}/favicon.ico", timeout=30).status_code
    finally:
        server.terminate()
        server.wait(timeout=20)
    return log_path.read_text(), status


@pytest.mark.slow  # two gunicorn servers, 6 s idle each
def test_an_idle_browser_connection_no_longer_kills_a_worker(tmp_path):
    # The sync workers `egov serve` ran before: the idle socket holds the only worker until the
    # master kills it, as the issue saw with a browser and 3 workers.
    before, _status = idle_connection_log(tmp_path, "sync")
    assert "WORKER TIMEOUT" in before
    after, status = idle_connection_log(tmp_path, "gthread")
    assert "WORKER TIMEOUT" not in after and "SIGKILL" not in after
    assert status == 200


def test_serve_runs_gthread_workers_with_keep_alive():
    argv = serve.gunicorn_command("127.0.0.1", 8000, workers=3)
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert argv[argv.index("--threads") + 1] == "4"
    assert argv[argv.index("--keep-alive") + 1] == str(serve.KEEP_ALIVE)
    sync = serve.gunicorn_command("127.0.0.1", 8000, workers=3, worker_class="sync")
    assert "--threads" not in sync


# --- The development e-ID provider on an occupied port -----------------------------------------


@pytest.fixture
def occupied_port():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


def test_the_provider_moves_to_a_free_port_and_the_web_server_follows(settings, occupied_port):
    settings.EGOV_OIDC_PROVIDER = "bundled"
    settings.EGOV_OIDC_ISSUER = f"http://127.0.0.1:{occupied_port}"
    launch = bundled.serve_command("127.0.0.1", 8000)
    issuer = launch[1]["OIDC_ISSUER"]
    moved = int(re.fullmatch(r"http://127\.0\.0\.1:(\d+)", issuer)[1])
    assert moved != occupied_port
    assert bundled.serve_exports(launch) == {
        "EGOV_OIDC_PROVIDER": "bundled",
        "EGOV_OIDC_ISSUER": issuer,
    }
    banner = bundled.serve_banner("127.0.0.1", 8000, launch)
    assert banner[0] == (
        f"Port {occupied_port} was in use: the development e-ID provider listens on "
        f"{issuer} instead."
    )
    # A free port is kept, and nothing is exported.
    settings.EGOV_OIDC_ISSUER = issuer
    launch = bundled.serve_command("127.0.0.1", 8000)
    assert launch[1]["OIDC_ISSUER"] == issuer
    assert bundled.serve_exports(launch) == {}
    assert bundled.serve_banner("127.0.0.1", 8000, launch)[0] == "Demo logins:"


@pytest.mark.slow  # starts the provider on Node
def test_the_provider_on_an_occupied_port_says_so_in_one_sentence(settings, occupied_port):
    if shutil.which("node") is None:
        pytest.fail("the provider needs Node.js (scripts/test installs it)")
    settings.EGOV_OIDC_ISSUER = f"http://127.0.0.1:{occupied_port}"
    argv, env, cwd = bundled.command("127.0.0.1", 8000)
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"egov demo e-ID provider: port {occupied_port} on 127.0.0.1 is in use by another program."
    ]


class Child:
    """A started process that has already stopped (or not)."""

    def __init__(self, name: str, returncode: int | None):
        self.args = [sys.executable, "-m", name]
        self.returncode = returncode
        self.terminated = False

    def poll(self):
        return self.returncode

    def terminate(self):
        self.terminated = True
        self.returncode = -15

    def kill(self):
        self.returncode = -9

    def wait(self, timeout=None):
        return self.returncode


def test_serve_goes_on_when_the_provider_stops_and_stops_with_the_web_server(monkeypatch):
    provider = registry.Process("OpenID provider", lambda h, p: None, essential=False)
    worker = registry.Process("worker", lambda h, p: None, worker=True)
    stopped_provider, web = Child("node", 1), Child("gunicorn", None)
    children = [
        serve._Child(stopped_provider, provider),
        serve._Child(Child("egov.cli", None), worker),
        serve._Child(web, None),
    ]
    polls = iter(range(3))

    def sleep(seconds):
        # After two rounds the web server stops: serve must stop everything then, not before.
        if next(polls) == 1:
            web.returncode = 3

    monkeypatch.setattr(serve.time, "sleep", sleep)
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)
    err = io.StringIO()
    command = serve.Command(stdout=io.StringIO(), stderr=err)
    with pytest.raises(SystemExit) as stopped:
        command._supervise(children)
    assert stopped.value.code == 3
    assert err.getvalue().splitlines() == [
        "OpenID provider stopped (exit code 1); the rest goes on.",
        "web server stopped with exit code 3",
    ]
    assert children[1].popen.terminated


def test_serve_starts_again_once_a_process_that_does_not_listen(monkeypatch):
    """Node was seen to hang at start without a word: serve gives it READY_SECONDS, restarts it
    once, then reports it stopped (non-essential) and goes on."""
    free = free_port()
    provider = registry.Process(
        "OpenID provider",
        lambda h, p: None,
        essential=False,
        listens=lambda launch: ("127.0.0.1", free),  # nothing ever listens there
    )
    silent, web = Child("node", None), Child("gunicorn", None)
    restarted = Child("node", None)
    launched = []

    def popen(argv, env, cwd, exported):
        launched.append(argv)
        return restarted

    clock = iter(range(0, 1000, 20))  # every look at the clock is 20 s later
    monkeypatch.setattr(serve.time, "monotonic", lambda: next(clock))
    rounds = iter(range(10))

    def sleep(seconds):
        if next(rounds) == 5:
            web.returncode = 0  # then the web server stops and so does serve

    monkeypatch.setattr(serve.time, "sleep", sleep)
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)
    command = serve.Command(stdout=io.StringIO(), stderr=(err := io.StringIO()))
    monkeypatch.setattr(command, "_popen", popen)
    child = serve._Child(silent, provider, (["node", "server.js"], {}, None), started=0)
    with pytest.raises(SystemExit):
        command._supervise([child, serve._Child(web, None)])
    assert launched == [["node", "server.js"]]  # restarted once, not more
    assert silent.returncode == -9 and restarted.returncode == -9
    assert err.getvalue().splitlines()[:2] == [
        "OpenID provider did not start listening within 30 s: starting it again.",
        "OpenID provider stopped (exit code -9); the rest goes on.",
    ]


# --- The first start's progress ----------------------------------------------------------------


def test_progress_says_the_step_counts_at_most_once_a_second_and_the_time(monkeypatch):
    clock = iter([0.0, 0.2, 1.3, 1.5, 2.9, 3.0, 3.25])
    monkeypatch.setattr("egov.core.progress.time.monotonic", lambda: next(clock))
    lines = []
    with Progress(lines.append, "Signing certificates", 5) as step:
        for _ in range(5):
            step.advance()
    assert lines == [
        "Signing certificates: 5 to do…",
        "  2/5",
        "  4/5",
        "  Signing certificates: done in 3.2 s",
    ]


@pytest.mark.django_db
def test_load_demo_says_each_step_before_it_runs(monkeypatch):
    lines = []
    steps = [registry.DemoStep(1, "organisations", lambda write: write("3379 created"))]
    monkeypatch.setattr(registry, "demo_steps", lambda: steps)
    load_demo(lines.append)
    assert lines[:2] == ["Demo data, organisations…", "3379 created"]
    assert lines[2].startswith("  Demo data, organisations: done in ")


@pytest.mark.django_db
def test_serve_migrates_with_a_count_when_there_is_something_to_apply(monkeypatch):
    lines = []
    serve.migrate_with_progress(lines.append)  # the test database is up to date: silent
    assert lines == []
    ran = {}

    def call_command(command, **options):
        ran.update(options)
        for _ in range(3):
            command.migration_progress_callback("apply_start")
            command.migration_progress_callback("apply_success")

    monkeypatch.setattr(
        serve.MigrationExecutor, "migration_plan", lambda self, targets: ["a", "b", "c"]
    )
    monkeypatch.setattr(serve, "call_command", call_command)
    serve.migrate_with_progress(lines.append)
    assert ran == {"interactive": False, "verbosity": 0}
    assert lines[0] == "Database, migrations: 3 to do…"
    assert lines[-1].startswith("  Database, migrations: done in ")
