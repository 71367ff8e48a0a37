"""Scenario ``lifecycle``: submit → receive → start processing → approve → return the result,
each dossier through the API (five POSTs, one PDF attached), against the production stack.

An API client of one commune holds the dossier scopes; load comes from separate processes, each
running whole lifecycles back to back for the measured window. Prints dossiers/s (lifecycles
completed in the window / its length) and the ratio to the baseline's requests/s measured in the
same run. ``$DATABASE_URL`` (PostgreSQL) or a fresh SQLite database, as every scenario.
"""

from __future__ import annotations

import base64
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import time
from urllib.parse import urlencode

from bench import harness

NAME = "lifecycle"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCOPES = [
    "dossiers.read",
    "dossiers.apply",
    "dossiers.receive",
    "dossiers.process",
    "dossiers.approve",
    "dossiers.return",
]
PROCESSES = 4


def egov_output(args, env, cwd) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "egov.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode:
        raise harness.BenchError(f"egov {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def setup_client(server) -> tuple[str, str, str]:
    """(organisation code, client id, secret) of a bench API client with the dossier scopes."""
    out = egov_output(["generate-dossiers", "0", "--setup-only"], server.env, server.workdir)
    organisation = out.split("organisation ", 1)[1].split()[0]
    args = [
        "api-client",
        "create",
        f"bench-{os.getpid()}-{time.time_ns()}",
        "--organisation",
        organisation,
    ]
    for scope in SCOPES:
        args += ["--scope", scope]
    out = egov_output(args, server.env, server.workdir)
    client_id = out.split("client_id:", 1)[1].split()[0]
    secret = out.split("client_secret:", 1)[1].split()[0]
    return organisation, client_id, secret


def token(host, port, client_id, secret) -> str:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    body = urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    connection.request(
        "POST", "/api/v1/oauth/token", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise harness.BenchError(f"token: {response.status} {data[:300]!r}")
    return json.loads(data)["access_token"]


def application(organisation: str, form: dict) -> bytes:
    return json.dumps(
        {
            "procedure": "9.999999",
            "organisation": organisation,
            "form_data": form,
            "applicant": {"name": "Nguyễn Văn Bench", "id_number": "001099012345"},
            "components": [
                {
                    "filename": "to-khai.pdf",
                    "content_type": "application/pdf",
                    "content_base64": base64.b64encode(PDF).decode(),
                }
            ],
        }
    ).encode()


def _post(host, port, path, body, headers):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def one_lifecycle(host, port, organisation, form, headers) -> tuple[bool, str]:
    status, body = _post(host, port, "/api/v1/dossiers/", application(organisation, form), headers)
    if status != 201:
        return False, f"submit {status} {body[:200]!r}"
    code = json.loads(body)["code"]
    for act in ("receive", "start-processing", "approve", "return-result"):
        status, body = _post(host, port, f"/api/v1/dossiers/{code}/{act}/", b"{}", headers)
        if status != 200:
            return False, f"{act} {status} {body[:200]!r}"
    return True, ""


def _worker(host, port, organisation, form, headers, start_at, stop_at, results):
    done, errors, last_error = 0, 0, ""
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        ok, error = one_lifecycle(host, port, organisation, form, headers)
        if time.time() > stop_at:
            break
        if ok:
            done += 1
        else:
            errors += 1
            last_error = error
    results.put((done, errors, last_error))


def main(quick: bool) -> dict:
    baseline = harness.run_baseline(quick)
    duration = 5.0 if quick else 30.0
    with harness.running_server() as server:
        organisation, client_id, secret = setup_client(server)
        bearer = token(server.host, server.port, client_id, secret)
        headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
        form = _valid_form(server)
        ok, error = one_lifecycle(server.host, server.port, organisation, form, headers)
        if not ok:
            raise harness.BenchError(f"a lifecycle fails: {error}\n{server.log_tail()}")
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        start_at = time.time() + 1.0
        stop_at = start_at + duration
        workers = [
            context.Process(
                target=_worker,
                args=(
                    server.host,
                    server.port,
                    organisation,
                    form,
                    headers,
                    start_at,
                    stop_at,
                    results,
                ),
            )
            for _ in range(PROCESSES)
        ]
        for w in workers:
            w.start()
        outcomes = [results.get(timeout=duration + 120) for _ in workers]
        for w in workers:
            w.join()
        database, web_workers = server.database, server.workers
    completed = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    rate = round(completed / duration, 2)
    harness.log(f"{NAME}: {completed} dossiers in {duration} s: {rate} dossiers/s, {errors} errors")
    return {
        "scenario": NAME,
        "database": database,
        "dossiers_per_s": rate,
        "requests_per_s": round(rate * 5, 2),
        "completed": completed,
        "errors": errors,
        "last_error": next((o[2] for o in outcomes if o[2]), ""),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "ratio_to_baseline": round(rate / baseline["rps"], 4) if baseline.get("rps") else None,
        "requests_ratio_to_baseline": (
            round(rate * 5 / baseline["rps"], 4) if baseline.get("rps") else None
        ),
        "target_dossiers_per_s": 100,
        "config": {
            "processes": PROCESSES,
            "duration_s": duration,
            "web_workers": web_workers,
            "cpus": os.cpu_count(),
            "quick": quick,
        },
    }


def _valid_form(server) -> dict:
    out = egov_output(
        [
            "shell",
            "-c",
            "import json; from egov.dossiers.benchdata import sample_form; "
            "print(json.dumps(sample_form()))",
        ],
        server.env,
        server.workdir,
    )
    return json.loads(out.strip().splitlines()[-1])
