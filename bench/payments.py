"""Scenario ``payments``: VNPay IPN confirmations per second through the whole stack (hash check,
amount check, the payment's and the dossier's state change, audit rows, receipt numbers drawn),
concurrent, with duplicates mixed in.

Prepares the production stack, makes ``$BENCH_PAYMENTS`` dossiers in status 6 (fees due: phí
and lệ phí) each with a pending VNPay payment (default 1,000; 200 with --quick), then sends every
payment's signed IPN twice from separate processes at once (the same success, as VNPay retries
it), in a shuffled order. The IPNs are signed here, with this file's own HMAC-SHA512, not the
adapter's. Prints confirmations/s (answers "00" in the window / its length), and checks at the
end: no payment confirmed twice (``double_counted``: extra "00" answers, dossiers with more than
one paid payment, paid payments without exactly their two receipts) and a gap-free receipt
numbering per agency and serial (``receipt_gaps``). The baseline is the same server's hello-world
view (wrk), as for every scenario. Target: >= 300 confirmations/s on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import random
import secrets
import time
from urllib.parse import quote_plus, urlencode

from bench import harness

NAME = "payments"
TARGET = 300
PROCESSES = 4
TMN = "BENCHTMN"

SETUP = r"""
import json, sys
from django.db import transaction
from django.utils import timezone
from egov.catalog.models import Fee
from egov.dossiers import services
from egov.dossiers.benchdata import sample_form
from egov.dossiers.management.commands.generate_dossiers import bench_organisations, bench_version
from egov.payments.models import Payment
from egov.payments.services import fees, payments

version = bench_version()
org = bench_organisations(1)[0]
for channel in version.channels.all():
    if not channel.fees.exists():
        for kind, code, amount, name in (
            ("fee", "P", 50000, "Phí"), ("charge", "L", 20000, "Lệ phí")
        ):
            Fee.objects.create(
                channel=channel, kind=kind, code=code, amount_vnd=amount, description=name
            )
out = []
for i in range(%(count)d):
    with transaction.atomic():
        d = services.register_in_person(
            actor=None, procedure_version=version, organisation=org,
            applicant=services.ApplicantData(
                name="Người nộp %%d" %% i, id_number="%%012d" %% (10**9 + i)
            ),
            form_data=sample_form(version.application_form),
        )
        if d.status == 1:
            d = services.receive(d, actor=None)
        d = services.start_processing(d, actor=None)
        d = fees.ask_for_payment(d, actor=None)
        p = Payment.objects.create(
            dossier=d, reference=payments.new_reference(d), method="vnpay",
            amount_vnd=fees.outstanding(d), created_at=timezone.now(),
            payer_name=d.applicant_name,
        )
    out.append([p.reference, p.amount_vnd])
print(json.dumps(out))
"""

CHECK = r"""
import json
from django.db.models import Count, Max, Min
from egov.payments.models import Payment, PaymentReceipt
paid = Payment.objects.filter(status="paid")
twice = (
    paid.values("dossier").annotate(n=Count("id")).filter(n__gt=1).count()
)
bad_receipts = paid.annotate(n=Count("receipts")).exclude(n=2).count()
gaps = 0
for row in PaymentReceipt.objects.values("agency", "serial").annotate(
    n=Count("id"), lo=Min("number"), hi=Max("number")
):
    gaps += (row["hi"] - row["lo"] + 1 - row["n"]) + (row["lo"] - 1)
print(json.dumps(
    {"paid": paid.count(), "twice": twice, "bad_receipts": bad_receipts, "gaps": gaps}
))
"""


def sign(params: dict, secret: str) -> dict:
    """vnp_SecureHash as VNPay's documentation gives it (sorted, urlencoded, HMAC-SHA512)."""
    data = "&".join(f"{quote_plus(k)}={quote_plus(str(params[k]))}" for k in sorted(params))
    out = dict(params)
    out["vnp_SecureHash"] = hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()
    return out


def ipn_path(reference: str, amount: int, secret: str, number: int) -> str:
    params = {
        "vnp_TmnCode": TMN,
        "vnp_Amount": str(amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "bench",
        "vnp_PayDate": time.strftime("%Y%m%d%H%M%S"),
        "vnp_ResponseCode": "00",
        "vnp_TransactionNo": str(10_000_000 + number),
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": reference,
    }
    return "/payments/ipn/vnpay/?" + urlencode(sign(params, secret))


def _worker(host, port, paths, barrier, results):
    answers = {}
    barrier.wait()
    for path in paths:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            code = (
                json.loads(body).get("RspCode") if response.status == 200 else str(response.status)
            )
        except (OSError, ValueError, http.client.HTTPException):
            code = "error"
        finally:
            connection.close()
        answers[code] = answers.get(code, 0) + 1
    results.put(answers)


def _cpu_seconds(pids) -> float:
    """User and system CPU of these processes so far (those that are gone count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _server_pids(port: int) -> list[int]:
    """The gunicorn master and workers listening on ``port`` (Linux /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in b" ".join(command) and f"{harness.HOST}:{port}".encode() in command:
            pids.append(int(entry))
    return pids


def _database_pids(env: dict) -> list[int]:
    """The PostgreSQL backends connected to the bench's database (the workers' pools)."""
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return []
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def _warm(host: str, port: int, secret: str, workers: int) -> None:
    """A few callbacks for an unknown order before the window, so that each worker has imported
    the payment views and opened its database pool (answered "01", audited as refused)."""
    for i in range(workers * 4):
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.request("GET", ipn_path(f"WARM{i}", 1000, secret, 90_000_000 + i))
            connection.getresponse().read()
        finally:
            connection.close()


def main(quick: bool) -> dict:
    count = int(os.environ.get("BENCH_PAYMENTS", "200" if quick else "1000"))
    load_before = [round(x, 2) for x in os.getloadavg()]
    secret = secrets.token_hex(32)
    extra = {"EGOV_VNPAY_TMN_CODE": TMN, "EGOV_VNPAY_HASH_SECRET": secret}
    with harness.running_server(extra_env=extra) as server:
        harness.log(f"{NAME}: making {count:,} dossiers with fees due and pending payments")
        out = harness.run_egov(
            ["shell", "-c", SETUP % {"count": count}], server.env, server.workdir, timeout=3600
        )
        orders = json.loads(out.strip().splitlines()[-1])
        paths = [ipn_path(ref, amount, secret, i) for i, (ref, amount) in enumerate(orders)]
        # Every IPN twice (VNPay retrying, or two of its servers at once), shuffled.
        jobs = paths + paths
        random.Random(7).shuffle(jobs)
        shares = [jobs[i::PROCESSES] for i in range(PROCESSES)]
        barrier = multiprocessing.Barrier(PROCESSES + 1)
        results = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(
                target=_worker, args=(server.host, server.port, share, barrier, results)
            )
            for share in shares
        ]
        for w in workers:
            w.start()
        _warm(server.host, server.port, secret, server.workers)
        web_pids, db_pids = _server_pids(server.port), _database_pids(server.env)
        web_cpu, db_cpu = _cpu_seconds(web_pids), _cpu_seconds(db_pids)
        barrier.wait()
        started = time.perf_counter()
        answers: dict[str, int] = {}
        for _ in workers:
            for code, n in results.get().items():
                answers[code] = answers.get(code, 0) + n
        elapsed = time.perf_counter() - started
        web_cpu = _cpu_seconds(web_pids) - web_cpu
        db_cpu = _cpu_seconds(db_pids) - db_cpu
        for w in workers:
            w.join()
        check = json.loads(
            harness.run_egov(["shell", "-c", CHECK], server.env, server.workdir).splitlines()[-1]
        )
        baseline = harness.run_baseline(quick, server)
        database, server_workers = server.database, server.workers
    confirmed = answers.get("00", 0)
    per_s = round(confirmed / elapsed, 1) if elapsed else 0.0
    double = max(confirmed - count, 0) + check["twice"] + check["bad_receipts"]
    harness.log(f"{NAME}: {per_s} confirmations/s; answers {answers}; check {check}")
    return {
        "scenario": NAME,
        "database": database,
        "payments": count,
        "callbacks": len(jobs),
        "answers": answers,
        "seconds": round(elapsed, 2),
        "paid": check["paid"],
        # CPU per callback in the window: the gunicorn processes, and PostgreSQL's backends of
        # this database (those open when the window started: the workers' pools).
        "cpu_ms_per_callback": {
            "web": round(web_cpu / len(jobs) * 1000, 2),
            "database": round(db_cpu / len(jobs) * 1000, 2) if db_pids else None,
        },
        "target_confirmations_per_s": TARGET,
        "baseline": {k: baseline.get(k) for k in ("rps", "p50_ms", "p99_ms")},
        "config": {
            "workers": server_workers,
            "load_generator": "python (http.client, one connection per callback)",
            "processes": PROCESSES,
            "cpus": os.cpu_count(),
            "quick": quick,
            "load_average_before": load_before,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        # The keys a script reads last: the throughput, then the two checks, then the ratio.
        "confirmations_per_s": per_s,
        "double_counted": double,
        "receipt_gaps": check["gaps"],
        "ratio_to_baseline": round(per_s / baseline["rps"], 3) if baseline.get("rps") else None,
    }
