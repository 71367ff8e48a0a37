"""National: what citizens and the public read of the synced dossiers.

The figures are counted from the dossiers as last synced, in one query when asked: an ingest
is in the next figures, with no batch step between them. On time and late count the dossiers
whose handling ended as processed or returned (9, 10) against their due time; a dossier
stopped, withdrawn or not received (3, 7, 8) is neither, as the province sent it.
"""

from __future__ import annotations

from django.db.models import Count, F, Q

from egov.sync.models import NationalDossier, NationalProgress

DONE = (9, 10)
GROUPS = {
    "province": ("province__code", "province__name"),
    "sector": ("sector_code", "sector_name"),
    "procedure": ("procedure_code", "procedure_name"),
}


def citizen_dossiers(id_number: str, *, limit: int = 200) -> list[NationalDossier]:
    """A citizen's dossiers from every province, newest first."""
    if not id_number:
        return []
    return list(
        NationalDossier.objects.filter(id_number=id_number)
        .select_related("province")
        .order_by("-received_at", "-id")[:limit]
    )


def citizen_dossier(id_number: str, pk: int) -> NationalDossier | None:
    if not id_number:
        return None
    return (
        NationalDossier.objects.filter(id_number=id_number, pk=pk)
        .select_related("province")
        .first()
    )


def find(code: str, id_number: str) -> NationalDossier | None:
    """The public lookup: the dossier code and the applicant's ID number must both match."""
    if not code or not id_number:
        return None
    return (
        NationalDossier.objects.filter(code=code.strip(), id_number=id_number.strip())
        .select_related("province")
        .first()
    )


def history(dossier: NationalDossier) -> list[NationalProgress]:
    return list(dossier.progress.order_by("at", "version", "id"))


def figures(by: str) -> list[dict]:
    """Per province, sector or procedure: received, on time, late, online, paid online,
    digitised."""
    key, name = GROUPS[by]
    ended_on_time = Q(status__in=DONE, finished_at__isnull=False, due_at__isnull=False) & Q(
        finished_at__lte=F("due_at")
    )
    late = Q(status__in=DONE, finished_at__isnull=False, due_at__isnull=False) & Q(
        finished_at__gt=F("due_at")
    )
    rows = (
        NationalDossier.objects.values(key, name)
        .annotate(
            received=Count("pk"),
            on_time=Count("pk", filter=ended_on_time),
            late=Count("pk", filter=late),
            online=Count("pk", filter=Q(online=True)),
            paid_online=Count("pk", filter=Q(paid_online=True)),
            digitised=Count("pk", filter=Q(digitised=True)),
        )
        .order_by(key)
    )
    return [
        {
            "code": row[key],
            "name": row[name],
            **{
                k: row[k]
                for k in ("received", "on_time", "late", "online", "paid_online", "digitised")
            },
        }
        for row in rows
    ]
