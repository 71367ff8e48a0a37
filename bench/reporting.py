"""Scenario ``reporting`` (issue 18 §7): the command centre on 200 indicators x 3,321 communes
x 12 months (7,970,400 values), approved up the tree.

The platform as in production (gunicorn, production settings, demo data: the 34 provinces and
their 3,321 communes) on ``$DATABASE_URL`` (PostgreSQL; a fresh SQLite file without it, fine for
``--quick`` only), plus the bench regime ``egov generate-reports`` makes (egov.reporting.generate:
bulk SQL, the aggregates approval would leave, a progress bar on stderr). The regime carries a
marker: a later run on the same database with the same sizes reuses it (generation is the long
part). ``--quick``: 20 indicators x 300 communes (spread over the provinces) x 12 months, in a
regime of its own, so a quick run does not replace the full one. ``$BENCH_INDICATORS`` and
``$BENCH_COMMUNES`` (0: all) change the sizes.

Measured, as a reader at the Government Office (reports.read at a central body: the national
figures), every GET with wrk (8 connections), p95 from wrk's histogram:

- the national dashboard (every field, every indicator with its trend), and the dashboard of
  the province holding the first communes;
- the drill-down of one summed indicator at the nation (its 34 provinces) and at that province
  (its communes): ``drilldown_p95_ms`` is the slower of the two;
- then the national dashboard and the province's drill-down on one connection
  (``single_connection``): their latency without queueing for one of the workers;
- propagation: one commune's report is un-approved up the tree (province, acceptance, commune),
  then approved again through ``services.approval.act`` in a process of its own while this one
  reads the national dashboard's figure (its DHIS2 JSON export, the same ``dashboard.build``)
  back to back; ``propagation_s`` runs from the call to the first answer showing the change.
  The province's approval is restored after;
- ingest: reports for several communes of other provinces, for the month before the generated
  ones (never approved, so a rerun sends them again), 4 at a time, through the JSON API
  (``POST /api/v1/reporting/submissions/``) and through the .xlsx upload
  (``POST /api/v1/reporting/xlsx/``, each commune's template downloaded and filled first, not
  timed), as an API client of those provinces: values accepted per second.

The baseline is the same server's hello-world view (wrk); ``ratio_to_baseline`` is the national
dashboard's requests/s over its requests/s. Targets: dashboards p95 < 200 ms, drill-down p95 <
100 ms, propagation < 5 s.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench import harness
from bench.lifecycle import token

NAME = "reporting"
DASHBOARD_TARGET_MS = 200.0
DRILLDOWN_TARGET_MS = 100.0
PROPAGATION_TARGET_S = 5.0
GENERATE_TIMEOUT = 3 * 3600
INGEST_THREADS = 4

SETUP = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from egov.accounts.models import Official
from egov.accounts.services import officials
from egov.accounts.services.login import SESSION_FLAG
from egov.core.models import Organisation
from egov.reporting import builtin
from egov.reporting.models import Aggregation, ReportingRegime

regime = ReportingRegime.objects.get(code=%(regime)r)
members = list(regime.organisations.select_related("parent").order_by("path"))
province = members[0].parent
commune = members[0]
others = [c for c in members if c.parent_id != province.pk][:%(ingest)d * 2]

def official(username, organisation, role, subtree):
    found = Official.objects.filter(user__username=username).first()
    if found is None:
        found = officials.create_official(username=username, password="Bench-12345-x-reporting",
                                          organisation=organisation, actor="bench")
        officials.assign_role(found, role, organisation, actor="bench", include_subtree=subtree)
    return found

office = Organisation.objects.get(code=settings.EGOV_INSTANCE_ORG_CODE)
reader = official("bench_command_centre", office, "reporter", False)
approver = official("bench_approver_" + province.code, province, "approver", True)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(reader.user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = reader.user.get_session_auth_hash()
store[SESSION_FLAG] = "password+totp"
store.create()
indicators = list(regime.indicators.order_by("pk"))
# A reported sum, not one egov also counts itself (its drill-down adds a cross-check).
summed = next(i for i in indicators
              if i.aggregation == Aggregation.SUM and not builtin.is_builtin(i))
print(json.dumps({
    "session": store.session_key, "cookie": settings.SESSION_COOKIE_NAME,
    "province": province.code, "province_name": province.name, "commune": commune.code,
    "communes_in_province": sum(1 for c in members if c.parent_id == province.pk),
    "approver": approver.user.username, "indicator": summed.key,
    "indicators": [[i.key, i.value_type] for i in indicators],
    "ingest": [c.code for c in others], "ingest_provinces": sorted({c.parent.code for c in others}),
}))
"""

# Un-approve the commune's report up the tree (what is approved of it), or approve it again and
# restore the province's approval: services.approval.act, as the province's approver.
ACTS = r"""
import json, time
from django.contrib.auth import get_user_model
from egov.core.models import Organisation
from egov.reporting.models import Approval, ReportingRegime
from egov.reporting.services.approval import act

regime = ReportingRegime.objects.get(code=%(regime)r)
user = get_user_model().objects.get(username=%(approver)r)
commune = Organisation.objects.select_related("parent").get(code=%(commune)r)
province = commune.parent
year, number = %(year)d, %(number)d
def status(org):
    row = Approval.objects.filter(regime=regime, organisation=org, year=year, number=number).first()
    return row.status if row else ""
def do(name, org):
    act(actor=user, name=name, regime=regime, organisation=org, year=year, number=number)
step = %(step)r
out = {}
if step == "undo":
    if status(province) == "approved":
        do("unapprove", province)
    if status(commune) == "accepted":
        do("unaccept", commune)
    if status(commune) == "approved":
        do("unapprove", commune)
elif step == "approve":
    out["started"] = time.time()
    do("approve", commune)
    out["done"] = time.time()
else:
    do("accept", commune)
    do("approve", province)
out["statuses"] = [status(commune), status(province)]
print(json.dumps(out))
"""


def _sizes(quick: bool) -> tuple[int, int, str]:
    indicators = int(os.environ.get("BENCH_INDICATORS", "20" if quick else "200"))
    communes = int(os.environ.get("BENCH_COMMUNES", "300" if quick else "0"))
    regime = "bench-xa-thang" if (indicators, communes) == (200, 0) else "bench-xa-thang-nhanh"
    return indicators, communes, regime


def _generate(server, indicators: int, communes: int, regime: str) -> dict:
    """``egov generate-reports``, its progress bar on our stderr; its JSON result."""
    command = [
        sys.executable,
        "-m",
        "egov.cli",
        "generate-reports",
        "--yes",
        "--json",
        "--indicators",
        str(indicators),
        "--communes",
        str(communes),
        "--regime",
        regime,
    ]
    done = subprocess.run(
        command,
        env=server.env,
        cwd=server.workdir,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
        timeout=GENERATE_TIMEOUT,
    )
    if done.returncode:
        raise harness.BenchError(f"generate-reports failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _shell(server, code: str) -> dict:
    out = harness.run_egov(["shell", "-c", code], server.env, server.workdir, timeout=600)
    return json.loads(out.strip().splitlines()[-1])


def _national_value(server, path: str, headers: dict, key: str) -> tuple[str | None, float]:
    """The indicator's national figure in the dashboard's DHIS2 export, and when it was read."""
    status, body = server.get(path, headers)
    seen = time.time()
    if status != 200:
        raise harness.BenchError(f"GET {path} answered {status}:\n" + server.log_tail())
    for row in json.loads(body)["dataValues"]:
        if row["dataElement"] == key:
            return row["value"], seen
    return None, seen


def _propagation(server, setup: dict, generated: dict, headers: dict) -> dict:
    year, number = generated["periods"][-1]
    args = {
        "regime": generated["regime"],
        "approver": setup["approver"],
        "commune": setup["commune"],
        "year": year,
        "number": number,
    }
    path = (
        f"/reporting/dashboard/?regime={generated['regime']}&year={year}&number={number}"
        "&format=dhis2"
    )
    key = setup["indicator"]
    full, _ = _national_value(server, path, headers, key)
    _shell(server, ACTS % {**args, "step": "undo"})
    before, _ = _national_value(server, path, headers, key)
    # Read the national figure back to back while another process approves the report.
    reads, stop = [], threading.Event()

    def poll():
        while not stop.is_set():
            value, seen = _national_value(server, path, headers, key)
            reads.append((seen, value))
            if value != before:
                return

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        approved = _shell(server, ACTS % {**args, "step": "approve"})
        poller.join(timeout=60)
    finally:
        stop.set()
    changed = [seen for seen, value in reads if value != before and seen >= approved["started"]]
    restored = _shell(server, ACTS % {**args, "step": "restore"})
    after, _ = _national_value(server, path, headers, key)
    return {
        "indicator": key,
        "commune": setup["commune"],
        "period": [year, number],
        "national_before_undo": full,
        "national_undone": before,
        "national_after": after,
        "approve_call_s": round(approved["done"] - approved["started"], 3),
        "reads": len(reads),
        "propagation_s": round(changed[0] - approved["started"], 3) if changed else None,
        "statuses_after": restored["statuses"],
    }


def _post(server, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=120)
    try:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _value(key: str, commune: str, kind: str) -> int | float:
    number = (sum(map(ord, key + commune)) % 900) + 10
    return number if kind == "integer" else number + 0.5


def _multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "egov-bench-reporting-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/vnd.openxmlformats-'
            "officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _filled(template: bytes, kinds: dict, commune: str) -> tuple[bytes, int]:
    """The template with every value cell (column G) filled: its bytes and the values."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template))
    sheet = book["Báo cáo"]
    count = 0
    for row in sheet.iter_rows(min_row=7):
        name = row[0].value
        if not name:
            continue
        # services.forms names a row "v-<indicator key>[--<disaggregation>]".
        key = str(name).removeprefix("v-").split("--")[0]
        row[6].value = _value(key, commune, kinds.get(key, "number"))
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count


def _rate(results: list[tuple[int, int]], seconds: float) -> dict:
    accepted = [values for status, values in results if status == 201]
    return {
        "reports": len(results),
        "accepted": len(accepted),
        "values": sum(accepted),
        "seconds": round(seconds, 3),
        "values_per_s": round(sum(accepted) / seconds, 1) if seconds else None,
        "reports_per_s": round(len(accepted) / seconds, 2) if seconds else None,
    }


def _ingest(server, setup: dict, generated: dict, count: int) -> dict:
    """Reports of ``count`` communes through the API, then ``count`` others through .xlsx."""
    organisations = []
    for code in setup["ingest_provinces"]:
        organisations += ["--organisation", code]
    out = harness.run_egov(
        [
            "api-client",
            "create",
            f"bench-reporting-{os.getpid()}-{time.time_ns()}",
            *organisations,
            "--subtree",
            "--scope",
            "reports.submit",
            "--scope",
            "reports.read",
        ],
        server.env,
        server.workdir,
    )
    client_id = out.split("client_id:", 1)[1].split()[0]
    secret = out.split("client_secret:", 1)[1].split()[0]
    bearer = {"Authorization": f"Bearer {token(server.host, server.port, client_id, secret)}"}
    year, number = generated["ingest_period"]
    regime = generated["regime"]
    kinds = dict(setup["indicators"])
    by_api, by_xlsx = setup["ingest"][:count], setup["ingest"][count : count * 2]

    def api(commune: str) -> tuple[int, int]:
        values = [
            {"indicator": key, "value": str(_value(key, commune, kind))}
            for key, kind in setup["indicators"]
        ]
        body = json.dumps(
            {
                "regime": regime,
                "organisation": commune,
                "year": year,
                "number": number,
                "values": values,
            }
        ).encode()
        status, answer = _post(
            server,
            "/api/v1/reporting/submissions/",
            body,
            {**bearer, "Content-Type": "application/json"},
        )
        if status != 201:
            harness.log(f"{NAME}: API {commune}: {status} {answer[:300]!r}")
        return status, len(values)

    query = f"regime={regime}&year={year}&number={number}"
    uploads = []
    for commune in by_xlsx:
        status, template = server.get(
            f"/api/v1/reporting/xlsx/?{query}&organisation={commune}", bearer
        )
        if status != 200:
            raise harness.BenchError(f"template of {commune}: {status} {template[:300]!r}")
        uploads.append((commune, *_filled(template, kinds, commune)))

    def upload(item) -> tuple[int, int]:
        commune, content, values = item
        body, kind = _multipart(
            {"regime": regime, "organisation": commune, "year": year, "number": number},
            f"{commune}.xlsx",
            content,
        )
        status, answer = _post(
            server, "/api/v1/reporting/xlsx/", body, {**bearer, "Content-Type": kind}
        )
        if status != 201:
            harness.log(f"{NAME}: xlsx {commune}: {status} {answer[:300]!r}")
        return status, values

    figures = {}
    for name, work, items in (("api", api, by_api), ("xlsx", upload, uploads)):
        began = time.perf_counter()
        with ThreadPoolExecutor(INGEST_THREADS) as pool:
            results = list(pool.map(work, items))
        figures[name] = _rate(results, time.perf_counter() - began)
        harness.log(f"{NAME}: ingest {name}: {figures[name]}")
    figures["period"] = [year, number]
    figures["concurrency"] = INGEST_THREADS
    return figures


def _p95(figures: dict) -> float | None:
    return figures.get("p95_ms")


def main(quick: bool) -> dict:
    indicators, communes, regime = _sizes(quick)
    warmup, duration = harness.durations(quick)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with harness.running_server() as server:
        harness.log(
            f"{NAME}: regime {regime}: {indicators} indicators x {communes or 'all'} communes"
        )
        generated = _generate(server, indicators, communes, regime)
        how = "reused" if generated["reused"] else f"generated in {generated['seconds']} s"
        harness.log(f"{NAME}: {generated['values']:,} values, {how}")
        ingest_count = 8 if quick else 40
        setup = _shell(server, SETUP % {"regime": regime, "ingest": ingest_count})
        headers = {"Cookie": f"{setup['cookie']}={setup['session']}", "Accept-Language": "vi"}
        year, number = generated["periods"][-1]
        period = f"regime={regime}&year={year}&number={number}"
        figure = f"/reporting/dashboard/figure/{regime}/{setup['indicator']}/{year}/{number}/"
        paths = {
            "dashboard": f"/reporting/dashboard/?{period}",
            "province_dashboard": f"/reporting/dashboard/{setup['province']}/?{period}",
            "drilldown_nation": figure,
            "drilldown_province": f"{figure}?organisation={setup['province']}",
        }
        server.check(*paths.values(), headers=headers)
        baseline = harness.run_baseline(quick, server)
        endpoints = {}
        for name, path in paths.items():
            endpoints[name] = harness.measure_wrk(server, path, quick=quick, headers=headers)
            harness.log(
                f"{NAME}: {name}: {endpoints[name]['rps']} req/s, "
                f"p95 {endpoints[name]['p95_ms']} ms"
            )
        # The same pages on one connection: their time without queueing for a worker.
        alone = {}
        for name in ("dashboard", "drilldown_province"):
            alone[name] = harness.measure_wrk(
                server, paths[name], quick=quick, headers=headers, threads=1, connections=1
            )
            harness.log(f"{NAME}: {name}, one connection: p95 {alone[name]['p95_ms']} ms")
        propagation = _propagation(server, setup, generated, headers)
        harness.log(f"{NAME}: propagation {propagation}")
        ingest = _ingest(server, setup, generated, ingest_count)
        database, workers = server.database, server.workers
    dashboard_p95 = _p95(endpoints["dashboard"])
    province_p95 = _p95(endpoints["province_dashboard"])
    drill = [_p95(endpoints[k]) for k in ("drilldown_nation", "drilldown_province")]
    drilldown_p95 = max(drill) if None not in drill else None
    propagation_s = propagation["propagation_s"]
    ratios = {
        name: harness.ratio_to_baseline(figures, baseline) for name, figures in endpoints.items()
    }
    within = {
        "dashboard": dashboard_p95 is not None and dashboard_p95 < DASHBOARD_TARGET_MS,
        "province_dashboard": province_p95 is not None and province_p95 < DASHBOARD_TARGET_MS,
        "drilldown": drilldown_p95 is not None and drilldown_p95 < DRILLDOWN_TARGET_MS,
        "propagation": propagation_s is not None and propagation_s < PROPAGATION_TARGET_S,
    }
    return {
        "scenario": NAME,
        "primary": paths["dashboard"],
        "database": database,
        "generated": generated,
        "province": {
            "code": setup["province"],
            "name": setup["province_name"],
            "communes": setup["communes_in_province"],
        },
        "endpoints": endpoints,
        "single_connection": {
            name: {k: f.get(k) for k in ("rps", "p50_ms", "p95_ms", "p99_ms")}
            for name, f in alone.items()
        },
        "ratios": ratios,
        "propagation": propagation,
        "ingest": ingest,
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "targets": {
            "dashboard_p95_ms": DASHBOARD_TARGET_MS,
            "drilldown_p95_ms": DRILLDOWN_TARGET_MS,
            "propagation_s": PROPAGATION_TARGET_S,
        },
        "within_targets": within,
        "config": {
            "workers": workers,
            "load_generator": "wrk",
            "warmup_s": warmup,
            "duration_s": duration,
            "cpus": os.cpu_count(),
            "quick": quick,
            "indicators": generated["indicators"],
            "communes": generated["communes"],
            "periods": len(generated["periods"]),
            "load_average_before": load_before,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "values": generated["values"],
        "dashboard_p95_ms": dashboard_p95,
        "province_dashboard_p95_ms": province_p95,
        "drilldown_p95_ms": drilldown_p95,
        "propagation_s": propagation_s,
        "values_per_s": ingest["api"]["values_per_s"],
        "values_per_s_api": ingest["api"]["values_per_s"],
        "values_per_s_xlsx": ingest["xlsx"]["values_per_s"],
        "ratio_to_baseline": ratios["dashboard"],
    }
