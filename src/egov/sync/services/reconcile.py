"""Provincial: the nightly reconciliation with the national side.

For each day, the dossiers this side would have synced (a procedure with a national code,
received that day, Vietnam time) are compared with the codes the national side lists for that
day (its lookup service, ``TraCuuHoSo`` with ``ngay``). Those missing there are listed and, with
``requeue``, queued again in full (the dossier and all its progress records).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Coalesce

from egov.core.services import audit
from egov.dossiers.models import Dossier
from egov.sync import wire
from egov.sync.services import client, outbound


@dataclass
class Day:
    day: dt.date
    here: int
    there: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def local_codes(day: dt.date) -> dict[str, int]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=wire.VIETNAM)
    rows = (
        Dossier.objects.annotate(at=Coalesce("received_at", "submitted_at", "created_at"))
        .filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
        .filter(procedure_version__procedure__code__regex=r"^[1-3]\.[0-9]{6}$")
        .values_list("code", "pk")
    )
    return dict(rows)


def reconcile(day: dt.date, *, requeue: bool = False, http=None) -> Day:
    here = local_codes(day)
    answer = client.call(wire.LOOKUP_SERVICE, http=http, ngay=day.strftime("%Y%m%d"))
    there = set(answer.get("result", {}).get("danhsach", []))
    result = Day(
        day,
        len(here),
        len(there),
        sorted(set(here) - there),
        sorted(there - set(here)),
    )
    with transaction.atomic():
        if requeue:
            for code in result.missing:
                outbound.queue(here[code], "all", key=f"{here[code]}:reconcile:{day:%Y%m%d}")
        audit.record(
            actor="system",
            action="sync.reconciled",
            obj=None,
            summary={
                "day": day.isoformat(),
                "here": result.here,
                "there": result.there,
                "missing": result.missing[:100],
                "requeued": requeue,
            },
        )
    return result
