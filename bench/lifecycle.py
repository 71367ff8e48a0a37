"""Scenario ``lifecycle``: submit → receive → start processing → approve → return the result,
through the API (one PDF attached to each dossier), against the production stack, two ways in the
same run:

- ``single``: each dossier on its own, five POSTs per dossier (a citizen's portal, a desk);
- ``batch``: ``$BENCH_BATCH`` dossiers (default 50) per call, five POSTs per batch
  (``/dossiers/batch/`` and ``/dossiers/batch/<act>/``: an integrated system, a desk's bulk act).

An API client of one commune holds the dossier scopes; load comes from separate processes, each
running whole lifecycles back to back for the measured window. Prints dossiers/s for each way
(lifecycles completed in the window / its length) and their ratio to the baseline's requests/s
(the same server's hello-world view, loaded with wrk in the same run). ``$DATABASE_URL``
(PostgreSQL) or a fresh SQLite database, as every scenario.
"""

from __future__ import annotations

import base64
import http.client
import json
import multiprocessing
import os
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
    """``harness.run_egov`` with a 30-minute timeout (generating dossiers takes long)."""
    return harness.run_egov(args, env, cwd, timeout=1800)


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


def batch_lifecycle(host, port, organisation, form, headers, size) -> tuple[bool, str]:
    """``size`` dossiers through the lifecycle: one batch application, then one call per act."""
    one = json.loads(application(organisation, form))
    body = json.dumps({"applications": [one] * size}).encode()
    status, answer = _post(host, port, "/api/v1/dossiers/batch/", body, headers)
    if status != 201:
        return False, f"batch submit {status} {answer[:200]!r}"
    codes = [d["code"] for d in json.loads(answer)["dossiers"]]
    body = json.dumps({"codes": codes}).encode()
    for act in ("receive", "start-processing", "approve", "return-result"):
        status, answer = _post(host, port, f"/api/v1/dossiers/batch/{act}/", body, headers)
        if status != 200:
            return False, f"batch {act} {status} {answer[:200]!r}"
    return True, ""


def _worker(host, port, organisation, form, headers, batch, start_at, stop_at, results):
    done, errors, last_error = 0, 0, ""
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        if batch:
            ok, error = batch_lifecycle(host, port, organisation, form, headers, batch)
        else:
            ok, error = one_lifecycle(host, port, organisation, form, headers)
        if time.time() > stop_at:
            break
        if ok:
            done += batch or 1
        else:
            errors += 1
            last_error = error
    results.put((done, errors, last_error))


def _load(server, organisation, form, headers, batch, duration) -> dict:
    """Lifecycles from PROCESSES processes for ``duration`` seconds; the figures."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 1.0
    stop_at = start_at + duration
    args = (server.host, server.port, organisation, form, headers, batch, start_at, stop_at)
    workers = [context.Process(target=_worker, args=(*args, results)) for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=duration + 120) for _ in workers]
    for w in workers:
        w.join()
    completed = sum(o[0] for o in outcomes)
    rate = round(completed / duration, 2)
    requests = completed * 5 / (batch or 1)
    mode = f"batch of {batch}" if batch else "single"
    errors = sum(o[1] for o in outcomes)
    harness.log(f"{NAME} ({mode}): {completed} dossiers in {duration} s: {rate} dossiers/s")
    return {
        "mode": mode,
        "dossiers_per_s": rate,
        "requests_per_s": round(requests / duration, 2),
        "completed": completed,
        "errors": errors,
        "last_error": next((o[2] for o in outcomes if o[2]), ""),
    }


def main(quick: bool) -> dict:
    duration = 5.0 if quick else 30.0
    batch = int(os.environ.get("BENCH_BATCH", "50"))
    with harness.running_server() as server:
        organisation, client_id, secret = setup_client(server)
        bearer = token(server.host, server.port, client_id, secret)
        headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
        form = _valid_form(server)
        for check in (
            lambda: one_lifecycle(server.host, server.port, organisation, form, headers),
            lambda: batch_lifecycle(server.host, server.port, organisation, form, headers, 2),
        ):
            ok, error = check()
            if not ok:
                raise harness.BenchError(f"a lifecycle fails: {error}\n{server.log_tail()}")
        baseline = harness.run_baseline(quick, server)
        single = _load(server, organisation, form, headers, 0, duration)
        batched = _load(server, organisation, form, headers, batch, duration)
        database, web_workers = server.database, server.workers
    rps = baseline.get("rps")

    def ratio(value):
        return round(value / rps, 4) if rps else None

    return {
        "scenario": NAME,
        "database": database,
        # Headline: the batch way (what an integrated system or a desk's bulk act does); the
        # single way is beside it, measured on the same server in the same run.
        "dossiers_per_s": batched["dossiers_per_s"],
        "single_dossiers_per_s": single["dossiers_per_s"],
        "errors": single["errors"] + batched["errors"],
        "ratio_to_baseline": ratio(batched["dossiers_per_s"]),
        "single_ratio_to_baseline": ratio(single["dossiers_per_s"]),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "target_dossiers_per_s": 100,
        "ways": {"single": single, "batch": batched},
        "config": {
            # The lifecycles are driven by Python processes (POSTs with bodies, in sequence);
            # the baseline is the server's hello-world view loaded with wrk.
            "load_generator": "python",
            "baseline_load_generator": "wrk",
            "processes": PROCESSES,
            "batch": batch,
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
