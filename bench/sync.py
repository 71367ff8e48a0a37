"""Scenario ``sync``: the national side's ingest of the provinces' status sync, in records per
second, and the provincial side's outbox drain rate.

Prepares the production stack with ``EGOV_SYNC_ROLE=national`` and makes one API client per
province with the ``sync.ingest`` scope (``PROVINCES``, 4). Then ``PROCESSES`` processes (one
per province) each log in once and send ``$BENCH_SYNC`` dossiers (default 20,000; 2,000 with
--quick) split between them: DongBoHoSoMC creates in calls of 100 records, then each dossier's
three progress records as CapNhatTienDoHoSoMC in calls of ``$BENCH_SYNC_CHUNK`` (default 100,
as many as the format's list allows here; the provincial integrations send 10 to the portal).
``records_per_s`` counts both kinds of record acknowledged in the window. A check at the end
counts the rows stored: every record once.

The drain: a provincial egov (the same database, ``EGOV_SYNC_ROLE=provincial``, pointed at the
server) makes ``$BENCH_SYNC_DRAIN`` dossiers (default 300; 100 with --quick) through the
one-stop shop's services, three acts each, each act one outbox row; then one ``egov worker
--batch`` sends them all to the server; ``outbox_drain_per_s`` is rows sent over its time.

The baseline is the same server's hello-world view (wrk), as for every scenario;
``ratio_to_baseline`` is records/s over its requests/s. Target: >= 2,000 records/s, some 300
times the national portal's average of ~6 records/s (129.6 M in 8 months of 2022).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import secrets
import time

from bench import harness

NAME = "sync"
TARGET = 2000
NATIONAL_AVERAGE = 6.0
PROCESSES = 4
DOSSIER_BATCH = 100
PROGRESS_CHUNK = int(os.environ.get("BENCH_SYNC_CHUNK", "100"))

SETUP = r"""
import json
from egov.accounts.services import clients
from egov.core.models import Organisation
from egov.core.services import organisations as o
from egov.core.services.organisations import OrganisationData as D
out = []
for i in range(%(provinces)d):
    code = "000.00.00.H8%%d" %% i
    org = Organisation.objects.filter(code=code).first() or o.create_organisation(
        D(code, "Tỉnh đo hiệu năng %%d" %% i, "province")
    )
    c = clients.create_client(
        name="bench sync %%d" %% i, organisations=[org], scopes=["sync.ingest"], actor="bench"
    )
    out.append([code, c.client_id, clients.add_secret(c, actor="bench")[1]])
print(json.dumps(out))
"""

CHECK = r"""
import json
from egov.sync.models import NationalDossier, NationalProgress
run = %(run)r
print(json.dumps({
    "dossiers": NationalDossier.objects.filter(code__startswith=run).count(),
    "progress": NationalProgress.objects.filter(dossier__code__startswith=run).count(),
}))
"""

DRAIN = r"""
import json, time
from django.core.management import call_command
from django.db import transaction
from egov.catalog.models import Procedure
from egov.core.models import OutboxMessage
from egov.dossiers import services
from egov.dossiers.benchdata import sample_form
from egov.dossiers.management.commands.generate_dossiers import bench_organisations, bench_version

from egov.catalog.models import ProcedureVersion
# The bench procedure, given a national code (procedures without one are not synced); a run
# before on the same database renamed it already.
version = ProcedureVersion.objects.filter(procedure__code="1.999999").first() or bench_version()
Procedure.objects.filter(pk=version.procedure_id).update(code="1.999999")
version.procedure.code = "1.999999"
org = bench_organisations(1)[0]
for i in range(%(count)d):
    with transaction.atomic():
        d = services.register_in_person(
            actor=None, procedure_version=version, organisation=org,
            applicant=services.ApplicantData(
                name="Người nộp %%d" %% i, id_number="%%012d" %% (2 * 10**9 + i)
            ),
            form_data=sample_form(version.application_form),
        )
        if d.status == 1:
            d = services.receive(d, actor=None)
        services.start_processing(d, actor=None)
rows = OutboxMessage.objects.filter(kind="sync.dossier")
queued = rows.filter(state="pending").count()
started = time.perf_counter()
call_command("worker", batch=True, verbosity=0)
elapsed = time.perf_counter() - started
print(json.dumps({
    "queued": queued, "sent": rows.filter(state="sent").count(),
    "failed": rows.filter(state="failed").count(), "seconds": elapsed,
}))
"""


def _post(host, port, body, unit):
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        path = "/api/v1/sync/session" if "username" in body else "/api/v1/sync/service"
        connection.request(
            "POST", path, json.dumps(body), {"Content-Type": "application/json", "dstcode": unit}
        )
        response = connection.getresponse()
        return json.loads(response.read())
    finally:
        connection.close()


def _dossier(run, province, n):
    return {
        "MaHoSo": f"{run}-{province}-{n:07d}",
        "MaTTHC": "1.000001",
        "TenTTHC": "Thủ tục đo hiệu năng",
        "MaLinhVuc": "BENCH",
        "TenLinhVuc": "Đo hiệu năng",
        "ChuHoSo": f"Người nộp {n}",
        "LoaiDoiTuong": "1",
        "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": f"{n:012d}"}],
        "NgayTiepNhan": "20260101080000",
        "NgayHenTra": "20260105170000",
        "TrangThaiHoSo": "4",
        "KenhThucHien": "2" if n % 2 else "1",
        "DuocThanhToanTrucTuyen": "1" if n % 3 == 0 else "0",
        "HoSoCoThanhPhanSoHoa": "1",
        "DonViXuLy": "UBND xã đo hiệu năng",
        "PhienBan": 3,
    }


def _progress(code, step):
    return {
        "MaHoSo": code,
        "NguoiXuLy": "Cán bộ một cửa",
        "ChucDanh": "Chuyên viên",
        "ThoiDiemXuLy": f"2026010108{step:02d}00",
        "PhongBanXuLy": "Bộ phận một cửa",
        "NoiDungXuLy": ("Nộp", "Tiếp nhận", "Chuyển xử lý")[step],
        "TrangThai": ("1", "2", "4")[step],
        "NgayBatDau": f"2026010108{step:02d}00",
        "NgayKetThucTheoQuyDinh": "",
        "PhienBan": step + 1,
    }


def _worker(host, port, run, credentials, count, barrier, results):
    unit, username, password = credentials
    session = _post(host, port, {"username": username, "password": password}, unit)["session"]
    base = {"session": session, "madonvi": unit}
    acknowledged, errors = 0, {}
    barrier.wait()
    for start in range(0, count, DOSSIER_BATCH):
        records = [
            _dossier(run, unit[-3:], n) for n in range(start, min(start + DOSSIER_BATCH, count))
        ]
        calls = [{**base, "service": "DongBoHoSoMC", "isUpdating": "False", "data": records}]
        steps = [_progress(r["MaHoSo"], s) for r in records for s in range(3)]
        calls += [
            {**base, "service": "CapNhatTienDoHoSoMC", "data": steps[i : i + PROGRESS_CHUNK]}
            for i in range(0, len(steps), PROGRESS_CHUNK)
        ]
        for body in calls:
            try:
                answer = _post(host, port, body, unit)
                code = str(answer.get("error_code"))
            except (OSError, ValueError, http.client.HTTPException):
                code = "error"
            if code == "0":
                acknowledged += len(body["data"])
            else:
                errors[code] = errors.get(code, 0) + 1
    results.put((acknowledged, errors))


def main(quick: bool) -> dict:
    count = int(os.environ.get("BENCH_SYNC", "2000" if quick else "20000"))
    drain_count = int(os.environ.get("BENCH_SYNC_DRAIN", "100" if quick else "300"))
    run = "B" + secrets.token_hex(3)
    with harness.running_server(extra_env={"EGOV_SYNC_ROLE": "national"}) as server:
        out = harness.run_egov(
            ["shell", "-c", SETUP % {"provinces": PROCESSES}], server.env, server.workdir
        )
        credentials = json.loads(out.strip().splitlines()[-1])
        share = count // PROCESSES
        total = share * PROCESSES
        harness.log(f"{NAME}: {PROCESSES} provinces send {total:,} dossiers, 3 steps each")
        barrier = multiprocessing.Barrier(PROCESSES + 1)
        results = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(
                target=_worker,
                args=(server.host, server.port, run, credentials[i], share, barrier, results),
            )
            for i in range(PROCESSES)
        ]
        for w in workers:
            w.start()
        barrier.wait()
        started = time.perf_counter()
        acknowledged, errors = 0, {}
        for _ in workers:
            n, errs = results.get()
            acknowledged += n
            for code, k in errs.items():
                errors[code] = errors.get(code, 0) + k
        elapsed = time.perf_counter() - started
        for w in workers:
            w.join()
        load_after_ingest = [round(x, 2) for x in os.getloadavg()]
        harness.log(f"{NAME}: {acknowledged / elapsed:.1f} records/s ingested; errors {errors}")
        check = json.loads(
            harness.run_egov(
                ["shell", "-c", CHECK % {"run": run}], server.env, server.workdir
            ).splitlines()[-1]
        )
        harness.log(f"{NAME}: the provincial side drains {drain_count} dossiers' acts")
        unit, username, password = credentials[0]
        provincial = {
            **server.env,
            "EGOV_SYNC_ROLE": "provincial",
            "EGOV_SYNC_NATIONAL_URL": server.url,
            "EGOV_SYNC_USERNAME": username,
            "EGOV_SYNC_PASSWORD": password,
            "EGOV_SYNC_UNIT_CODE": unit,
        }
        drained = json.loads(
            harness.run_egov(
                ["shell", "-c", DRAIN % {"count": drain_count}],
                provincial,
                server.workdir,
                timeout=3600,
            )
            .strip()
            .splitlines()[-1]
        )
        baseline = harness.run_baseline(quick, server)
        database, server_workers = server.database, server.workers
    per_s = round(acknowledged / elapsed, 1) if elapsed else 0.0
    drain_per_s = round(drained["sent"] / drained["seconds"], 1) if drained["seconds"] else 0.0
    harness.log(f"{NAME}: {per_s} records/s, drain {drain_per_s} rows/s; errors {errors}")
    return {
        "scenario": NAME,
        "database": database,
        "dossiers": share * PROCESSES,
        "records": acknowledged,
        "errors": errors,
        "seconds": round(elapsed, 2),
        "stored": check,
        "drain": drained,
        "target_records_per_s": TARGET,
        "ratio_to_national_average": round(per_s / NATIONAL_AVERAGE, 1),
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "config": {
            "workers": server_workers,
            "load_generator": "python (http.client, one connection per call)",
            "processes": PROCESSES,
            "dossier_batch": DOSSIER_BATCH,
            "progress_chunk": PROGRESS_CHUNK,
            "cpus": os.cpu_count(),
            "quick": quick,
            "load_average_after_ingest": load_after_ingest,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "records_per_s": per_s,
        "outbox_drain_per_s": drain_per_s,
        "ratio_to_baseline": round(per_s / baseline["rps"], 3) if baseline.get("rps") else None,
    }
