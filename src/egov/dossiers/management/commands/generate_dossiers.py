"""egov generate-dossiers N: a bench database of N dossiers with their histories, with progress.

Bulk load for benchmarks (not through the services, and without audit rows): dossiers spread
over communes and the last 365 days, statuses in realistic shares, 2–6 progress records each,
codes from the same format and DailySequence rows set to the numbers used, so the services
continue the sequences. A bench procedure (code 9.999999, online and in-person channels,
3 working days, four steps) is made if missing. ``--setup-only`` makes just that.
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
from egov.core.calendar import TIMEZONE
from egov.core.models import Organisation
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
    from egov.catalog.services import versions

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
    from egov.core.services.organisations import OrganisationData, create_organisation

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
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--setup-only", action="store_true")

    def handle(self, *args, count, organisations, batch, days, seed, setup_only, **options):
        version = bench_version()
        orgs = bench_organisations(organisations)
        if setup_only:
            self.stdout.write(f"procedure {BENCH_CODE}\norganisation {orgs[0].code}")
            return
        rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        channel = version.channels.get(kind="online")
        steps = list(WorkflowStep.objects.filter(procedure_version=version).order_by("order"))
        statuses = [s for s, _share in MIX]
        weights = [w for _s, w in MIX]
        now = timezone.now()
        # Numbers already used per (organisation, day), so a second run continues them.
        used = {
            (org_id, day): last
            for org_id, day, last in DailySequence.objects.values_list(
                "organisation_id", "day", "last"
            )
        }
        started = time.monotonic()
        done = 0
        while done < count:
            size = min(batch, count - done)
            dossiers, plans = [], []
            for _ in range(size):
                org = orgs[rng.randrange(len(orgs))]
                submitted = now - dt.timedelta(seconds=rng.randrange(days * 86400))
                day = submitted.astimezone(TIMEZONE).date()
                number = used.get((org.pk, day), 0) + 1
                used[(org.pk, day)] = number
                status = rng.choices(statuses, weights)[0]
                received = submitted + dt.timedelta(minutes=rng.randrange(5, 600))
                due = received + dt.timedelta(days=5)
                finished = received + dt.timedelta(hours=rng.randrange(4, 24 * 8))
                path = PATHS[status]
                dossiers.append(
                    Dossier(
                        code=f"{org.code}-{day:%y%m%d}-{number:04d}",
                        procedure_version=version,
                        channel=channel,
                        origin_organisation=org,
                        organisation=org,
                        applicant_id_number=f"{rng.randrange(10**11, 10**12):012d}",
                        applicant_name="Công dân thử nghiệm",
                        status=status,
                        submitted_at=submitted,
                        received_at=received if status not in (1, 3, 7) else None,
                        due_at=due if status not in (1, 3, 7) else None,
                        original_due_at=due if status not in (1, 3, 7) else None,
                        at_risk_at=received + dt.timedelta(days=4) if status != 1 else None,
                        paused_at=finished if status == 5 else None,
                        processed_at=finished if status in (9, 10) else None,
                        returned_at=finished + dt.timedelta(hours=2) if status == 10 else None,
                        timeliness=(
                            ("late" if finished > due else "on_time") if status in (9, 10) else ""
                        ),
                        current_step=steps[1] if status == 4 and steps else None,
                    )
                )
                plans.append((path, submitted, received, finished))
            with transaction.atomic():
                Dossier.objects.bulk_create(dossiers, batch_size=size)
                records = []
                for dossier, (path, submitted, received, finished) in zip(
                    dossiers, plans, strict=True
                ):
                    span = max((finished - received).total_seconds(), 60)
                    for index, (before, after, act) in enumerate(path):
                        at = (
                            submitted
                            if index == 0
                            else received
                            + dt.timedelta(seconds=span * (index - 1) / max(len(path) - 1, 1))
                        )
                        records.append(
                            ProgressRecord(
                                dossier_id=dossier.pk,
                                at=at,
                                action=act,
                                from_status=before,
                                to_status=after,
                                actor_name="Cán bộ thử nghiệm" if index else "Công dân",
                                organisation_id=dossier.organisation_id,
                            )
                        )
                ProgressRecord.objects.bulk_create(records, batch_size=10000)
            done += size
            elapsed = time.monotonic() - started
            sys.stderr.write(
                f"\rgenerated {done:,}/{count:,} dossiers ({done / elapsed:,.0f}/s, "
                f"{elapsed:,.0f} s)"
            )
            sys.stderr.flush()
        sys.stderr.write("\n")
        self._save_sequences(used)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE dossiers_dossier; ANALYZE dossiers_progressrecord")
        elapsed = time.monotonic() - started
        self.stdout.write(f"{count} dossiers in {elapsed:.1f} s ({count / elapsed:.0f}/s)")

    def _save_sequences(self, used):
        rows = [DailySequence(organisation_id=o, day=d, last=n) for (o, d), n in used.items()]
        with transaction.atomic():
            DailySequence.objects.bulk_create(
                rows,
                batch_size=5000,
                update_conflicts=True,
                unique_fields=["organisation", "day"],
                update_fields=["last"],
            )
