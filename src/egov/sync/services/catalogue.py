"""Provincial: procedures without a national code are flagged and not synced.

The national side knows procedures by their national code (MaTTHC, e.g. "1.004227"); a
procedure created locally under another code cannot be synced until the catalogue gives it
one. :func:`unsynced_procedures` lists those that have dossiers (the outbox never queues their
acts: :func:`egov.sync.services.outbound.on_acts_recorded`).
"""

from __future__ import annotations

from django.db.models import Count

from egov.catalog.models import Procedure
from egov.payments.national import procedures_integrated
from egov.sync.wire import is_national_code


def unsynced_procedures(limit: int = 200) -> list[dict]:
    """Procedures with dossiers and no national code: code, name, how many dossiers."""
    rows = (
        Procedure.objects.annotate(dossiers=Count("versions__dossiers"))
        .filter(dossiers__gt=0)
        .exclude(code__regex=r"^[1-3]\.[0-9]{6}$")
        .order_by("code")
        .values("pk", "code", "name", "dossiers")
    )
    out = [row for row in rows[:limit] if not is_national_code(row["code"])]
    paid = procedures_integrated([row["pk"] for row in out])
    for row in out:
        row["online_payment"] = row["pk"] in paid
    return out
