"""egov generate-dossiers N: a bench database of N dossiers with their histories, with progress.

Bulk load for benchmarks (not through the services, and without audit rows): dossiers spread
over communes and the last 365 days, statuses in realistic shares, 1–6 progress records each,
codes from the same format, their numbers drawn in blocks from the same DailySequence counters
as intake (so the services continue the sequences, also while the load runs). A bench procedure
(code 9.999999, online and in-person channels, 3 working days, four steps) is made if missing.
``--setup-only`` makes just that.

One transaction per batch. On PostgreSQL the rows go in with COPY (psycopg 3), dossier ids
reserved from the table's identity sequence; elsewhere with ``bulk_create``. Indexes and
constraints stay in place: safe on a database in use.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from egov.catalog.forms import default_form
from egov.catalog.models import ProcedureVersion
from egov.catalog.services import versions
from egov.core.calendar import TIMEZONE
from egov.core.models import Organisation
from egov.core.numbering import draw_blocks
from egov.core.services.organisations import OrganisationData, create_organisation
from egov.dossiers.models import DailySequence, Dossier, ProgressRecord, WorkflowStep

BENCH_CODE = "9.999999"
BENCH_CONTENT = {
    "code": BENCH_CODE,
    "name": "Thủ tục dùng cho đo hiệu năng",
    "sectors": ["Hộ tịch"],
    "levels": ["commune"],
    "implementing_agencies": [{"name": "Ủy ban nhân dân cấp xã", "level": "commune"}],
    "channels": [
        {"channel": "online", "time_limit": 3, "time_unit": "working_days"},
        {"channel": "in_person", "time_limit": 3, "time_unit": "working_days"},
    ],
    "required_documents": [{"name": "Tờ khai", "copies": 0}],
    "online_level": "full",
}
# (status, share) of generated dossiers; histories follow the status.
MIX = [(10, 0.55), (9, 0.08), (4, 0.15), (2, 0.08), (5, 0.04), (3, 0.03), (7, 0.03), (1, 0.04)]
STATUSES = [status for status, _share in MIX]
WEIGHTS = [share for _status, share in MIX]
PATHS = {
    1: [(None, 1, "submit")],
    2: [(None, 1, "submit"), (1, 2, "receive")],
    3: [(None, 1, "submit"), (1, 3, "refuse")],
    4: [(None, 1, "submit"), (1, 2, "receive"), (2, 4, "start_processing"), (4, 4, "forward")],
    5: [(None, 1, "submit"), (1, 2, "receive"), (2, 5, "request_supplement")],
    7: [(None, 1, "submit"), (1, 7, "withdraw")],
    9: [(None, 1, "submit"), (1, 2, "receive"), (2, 4, "start_processing"), (4, 9, "approve")],
    10: [
        (None, 1, "submit"),
        (1, 2, "receive"),
        (2, 4, "start_processing"),
        (4, 4, "forward"),
        (4, 9, "approve"),
        (9, 10, "return_result"),
    ],
}


def bench_version() -> ProcedureVersion:
    """The bench procedure's published version (made on first use)."""
    version = ProcedureVersion.objects.filter(procedure__code=BENCH_CODE).first()
    if version is not None:
        return version
    with transaction.atomic():
        version = versions.create_procedure(BENCH_CONTENT, actor="bench")
        version = versions.publish(version, effective_from=dt.date(2020, 1, 1), actor="bench")
        ProcedureVersion.objects.filter(pk=version.pk).update(application_form=default_form())
        for order, (name, role, share) in enumerate(
            [
                ("Tiếp nhận", "desk", "0.1"),
                ("Thẩm định", "processor", "0.6"),
                ("Phê duyệt", "approver", "0.2"),
                ("Trả kết quả", "desk", "0.1"),
            ]
        ):
            WorkflowStep.objects.create(
                procedure_version=version, order=order, name=name, role=role, share=Decimal(share)
            )
    return ProcedureVersion.objects.get(pk=version.pk)


def bench_organisations(limit: int) -> list[Organisation]:
    orgs = list(Organisation.objects.filter(level="commune", valid_to__isnull=True)[:limit])
    if orgs:
        return orgs
    province = Organisation.objects.filter(code="000.00.00.H99").first() or create_organisation(
        OrganisationData("000.00.00.H99", "Tỉnh đo hiệu năng", "province")
    )
    return [
        create_organisation(
            OrganisationData(
                f"000.{i // 100:02d}.{i % 100:02d}.H99", f"Xã {i}", "commune", parent=province
            )
        )
        for i in range(1, min(limit, 50) + 1)
    ]


class Command(BaseCommand):
    help = "Generate N dossiers with histories for benchmarks (bulk, shows progress)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--organisations", type=int, default=200)
        parser.add_argument("--batch", type=int, default=10000)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--setup-only", action="store_true")
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="Use bulk_create on PostgreSQL too (COPY is the default there).",
        )

    def handle(self, *args, count, organisations, batch, days, seed, setup_only, **options):
        version = bench_version()
        orgs = bench_organisations(organisations)
        if setup_only:
            self.stdout.write(f"procedure {BENCH_CODE}\norganisation {orgs[0].code}")
            return
        rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        channel = version.channels.get(kind="online")
        steps = list(WorkflowStep.objects.filter(procedure_version=version).order_by("order"))
        now = timezone.now()
        writer = (
            _CopyWriter(now)
            if connection.vendor == "postgresql" and not options["no_copy"]
            else _OrmWriter()
        )
        context = {
            "version_id": version.pk,
            "channel_id": channel.pk,
            "step_id": steps[1].pk if len(steps) > 1 else None,
            "now": now,
            "days": days,
        }
        started = time.monotonic()
        done = records = 0
        while done < count:
            size = min(batch, count - done)
            plans = [_plan(rng, orgs, context) for _ in range(size)]
            with transaction.atomic():
                # Numbers for the batch, drawn from the counters the services use.
                sizes: dict[tuple, int] = {}
                for plan in plans:
                    key = (plan["org"].pk, plan["day"])
                    sizes[key] = sizes.get(key, 0) + 1
                lasts = draw_blocks(DailySequence, ["organisation", "day"], sizes)
                next_number = {key: last - sizes[key] + 1 for key, last in lasts.items()}
                for plan in plans:
                    key = (plan["org"].pk, plan["day"])
                    plan["number"] = next_number[key]
                    next_number[key] += 1
                dossiers = [_dossier_values(plan, context) for plan in plans]
                ids = writer.write_dossiers(dossiers)
                history = [
                    record
                    for dossier_id, plan in zip(ids, plans, strict=True)
                    for record in _history(dossier_id, plan)
                ]
                writer.write_records(history)
            done += size
            records += len(history)
            elapsed = time.monotonic() - started
            sys.stderr.write(
                f"\rgenerated {done:,}/{count:,} dossiers, {records:,} progress records "
                f"({done / elapsed:,.0f} dossiers/s, {elapsed:,.0f} s)"
            )
            sys.stderr.flush()
        if count:
            sys.stderr.write("\n")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE dossiers_dossier; ANALYZE dossiers_progressrecord")
        elapsed = time.monotonic() - started
        rate = count / elapsed if elapsed else 0
        self.stdout.write(f"{count} dossiers in {elapsed:.1f} s ({rate:.0f}/s, {writer.name})")


def _plan(rng: random.Random, orgs: list[Organisation], context: dict) -> dict:
    """One dossier's random choices: organisation, times, status (its number comes later)."""
    org = orgs[rng.randrange(len(orgs))]
    submitted = context["now"] - dt.timedelta(seconds=rng.randrange(context["days"] * 86400))
    status = rng.choices(STATUSES, WEIGHTS)[0]
    received = submitted + dt.timedelta(minutes=rng.randrange(5, 600))
    return {
        "org": org,
        "day": submitted.astimezone(TIMEZONE).date(),
        "submitted": submitted,
        "status": status,
        "received": received,
        "finished": received + dt.timedelta(hours=rng.randrange(4, 24 * 8)),
        "id_number": f"{rng.randrange(10**11, 10**12):012d}",
    }


def _dossier_values(plan: dict, context: dict) -> dict:
    """The dossier's fields that vary (by attname); the others keep their defaults."""
    org, status = plan["org"], plan["status"]
    submitted, received, finished = plan["submitted"], plan["received"], plan["finished"]
    due = received + dt.timedelta(days=5)
    open_ = status not in (1, 3, 7)
    return {
        "code": f"{org.code}-{plan['day']:%y%m%d}-{plan['number']:04d}",
        "procedure_version_id": context["version_id"],
        "channel_id": context["channel_id"],
        "origin_organisation_id": org.pk,
        "organisation_id": org.pk,
        "applicant_id_number": plan["id_number"],
        "applicant_name": "Công dân thử nghiệm",
        "status": status,
        "submitted_at": submitted,
        "received_at": received if open_ else None,
        "due_at": due if open_ else None,
        "original_due_at": due if open_ else None,
        "at_risk_at": received + dt.timedelta(days=4) if status != 1 else None,
        "paused_at": finished if status == 5 else None,
        "processed_at": finished if status in (9, 10) else None,
        "returned_at": finished + dt.timedelta(hours=2) if status == 10 else None,
        "timeliness": ("late" if finished > due else "on_time") if status in (9, 10) else "",
        "current_step_id": context["step_id"] if status == 4 else None,
    }


def _history(dossier_id: int, plan: dict) -> list[dict]:
    """The dossier's progress records (by attname), dated from submission to its last act."""
    path = PATHS[plan["status"]]
    submitted, received, finished = plan["submitted"], plan["received"], plan["finished"]
    span = max((finished - received).total_seconds(), 60)
    return [
        {
            "dossier_id": dossier_id,
            "at": (
                submitted
                if index == 0
                else received + dt.timedelta(seconds=span * (index - 1) / max(len(path) - 1, 1))
            ),
            "action": act,
            "from_status": before,
            "to_status": after,
            "actor_name": "Cán bộ thử nghiệm" if index else "Công dân",
            "organisation_id": plan["org"].pk,
        }
        for index, (before, after, act) in enumerate(path)
    ]


class _OrmWriter:
    """bulk_create (SQLite; PostgreSQL with --no-copy)."""

    name = "bulk_create"

    def write_dossiers(self, rows: list[dict]) -> list[int]:
        dossiers = Dossier.objects.bulk_create(
            [Dossier(**row) for row in rows], batch_size=len(rows) or None
        )
        return [dossier.pk for dossier in dossiers]

    def write_records(self, rows: list[dict]) -> None:
        ProgressRecord.objects.bulk_create(
            [ProgressRecord(**row) for row in rows], batch_size=10000
        )


class _CopyWriter:
    """COPY ... FROM STDIN (PostgreSQL, psycopg 3). Fields not given keep the model's default,
    prepared once (auto_now fields: the start of the run); dossier ids come from the identity
    sequence (nextval), so rows written by others at the same time get other ids."""

    name = "COPY"

    def __init__(self, now: dt.datetime) -> None:
        self.dossier = _CopyLayout(Dossier, now, with_pk=True)
        self.record = _CopyLayout(ProgressRecord, now, with_pk=False)

    def write_dossiers(self, rows: list[dict]) -> list[int]:
        table, pk = Dossier._meta.db_table, Dossier._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        pk_name = Dossier._meta.pk.attname
        self.dossier.copy(
            {pk_name: dossier_id, **row} for dossier_id, row in zip(ids, rows, strict=True)
        )
        return ids

    def write_records(self, rows: list[dict]) -> None:
        self.record.copy(rows)


class _CopyLayout:
    def __init__(self, model, now: dt.datetime, *, with_pk: bool) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.defaults = {}
        for f in fields:
            value = (
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else (None if f.primary_key else f.get_default())
            )
            self.defaults[f.attname] = f.get_db_prep_save(value, connection)
        quote = connection.ops.quote_name
        self.sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        )

    def copy(self, rows) -> None:
        attnames, defaults = self.attnames, self.defaults
        # The underlying psycopg cursor: Django's wrapper has no copy().
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            for row in rows:
                copy.write_row([row[a] if a in row else defaults[a] for a in attnames])
