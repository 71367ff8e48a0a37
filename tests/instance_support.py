"""A second egov instance for the tests that talk to one over HTTP (the exchange's national hub,
the petitions' provincial instance): its own SQLite database and var/, migrated, set up by a
script, served by gunicorn on a free loopback port, stopped at the end.

Not oidc_support.launch_until_ready: that one waits for the READY line the Node provider prints
and keeps the output in a pipe; gunicorn prints no such line (only answering /healthz says the
application is loaded), and its log stays in a file that tests read for tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import httpx

from .accounts.oidc_support import free_port


@contextmanager
def second_instance(work: Path, name: str, setup: str, **env: str) -> Iterator[SimpleNamespace]:
    """Run ``setup`` (Python after ``django.setup()``, printing a JSON line last) in a migrated
    instance under ``work``, then serve it; yields its ``url``, the setup's ``clients`` and the
    server's ``log`` path. ``env`` adds or overrides EGOV_* variables."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_"))},
        "EGOV_ENV": "test",
        "DATABASE_URL": f"sqlite:///{work / f'{name}.sqlite3'}",
        "EGOV_VAR_DIR": str(work / "var"),
        "EGOV_PKI_AUTO_CREATE": "1",
        "EGOV_OIDC_PROVIDER": "off",
        **env,
    }
    python = sys.executable
    run = {"env": environment, "check": True, "cwd": work}
    subprocess.run([python, "-m", "egov.cli", "migrate", "--noinput", "-v0"], **run)  # noqa: S603
    made = subprocess.run([python, "-c", setup], capture_output=True, **run)  # noqa: S603
    clients = json.loads(made.stdout.decode().strip().splitlines()[-1])
    port = free_port()
    log_path = work / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603
        [python, "-m", "gunicorn", "egov.wsgi:application", "-w", "1", "-b", f"127.0.0.1:{port}"],
        env=environment,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text()[-3000:])
            time.sleep(0.1)
        yield SimpleNamespace(url=url, clients=clients, log=log_path)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
