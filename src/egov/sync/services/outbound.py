"""Provincial: every act on a dossier is queued in the core outbox and sent to the national side.

:func:`on_acts_recorded` receives the one-stop shop's ``acts_recorded`` signal inside the act's
transaction and adds one outbox row of kind ``sync.dossier`` per act (key
``<dossier id>:<progress record id>``): a rolled-back act queues nothing, and an act is queued
once. A dossier whose procedure has no national code is not queued (the catalogue check lists
them: :mod:`egov.sync.services.catalogue`).

The row's handler (:func:`send`) sends the dossier as it is at send time (DongBoHoSoMC: a create,
or the update when the national side says it exists already, or when this side knows it synced
it) and then the act's progress record (CapNhatTienDoHoSoMC). Rows of the same dossier may go out
of order (retries, several workers): each carries the dossier's version (``PhienBan``) and the
national side keeps the newest. The reconciliation queues rows with ``"progress": "all"``: the
dossier and all its progress records, in chunks of ten.

A refusal the national side explains (a field, the unit code) fails the row at once; anything
else (network, 5xx, session) is retried with exponential backoff. Officials see the failed rows
and send them again (:func:`retry`).
"""

from __future__ import annotations

import datetime as dt

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.models import OutboxMessage
from egov.core.services import audit, outbox
from egov.dossiers.models import ProgressRecord
from egov.sync import wire
from egov.sync.models import SyncMark, SyncRetry
from egov.sync.services import client
from egov.sync.services.records import dossier_records, progress_record

KIND = "sync.dossier"
MAX_ATTEMPTS = 10
backoff = outbox.exponential(dt.timedelta(seconds=5), most=dt.timedelta(hours=1))
PERMANENT = (wire.INVALID, wire.REFUSED)


def register() -> None:
    outbox.register(KIND, send, max_attempts=MAX_ATTEMPTS, backoff=backoff, recorded=recorded)


def on_acts_recorded(sender, records, **kwargs) -> None:
    """The acts of a transaction, queued (provincial role only)."""
    if settings.EGOV_SYNC_ROLE != "provincial":
        return
    for progress in records:
        dossier = progress.dossier
        if not wire.is_national_code(dossier.procedure_version.procedure.code):
            continue
        queue(dossier.pk, progress.pk)


def queue(dossier_id: int, progress, *, key: str | None = None) -> OutboxMessage:
    """One row for the dossier and one of its progress records (an id) or ``"all"``."""
    return outbox.add(
        KIND,
        {"dossier": dossier_id, "progress": progress},
        key=key or f"{dossier_id}:{progress}",
    )


def _sync_dossier(record: dict, known: bool, http) -> None:
    """Create, or update; each falls back to the other on EXISTS / NOT_FOUND."""
    order = ("True", "False") if known else ("False", "True")
    try:
        client.call(wire.DOSSIER_SERVICE, http=http, isUpdating=order[0], data=[record])
    except client.NationalError as error:
        if error.code not in (wire.EXISTS, wire.NOT_FOUND):
            raise
        client.call(wire.DOSSIER_SERVICE, http=http, isUpdating=order[1], data=[record])


def send(message: OutboxMessage, *, http: httpx.Client | None = None) -> dict:
    dossier_id = message.payload["dossier"]
    wanted = message.payload.get("progress")
    record = dossier_records([dossier_id]).get(dossier_id)
    if record is None:
        raise outbox.Failure(_("The dossier no longer exists."), permanent=True)
    known = SyncMark.objects.filter(dossier_id=dossier_id).exists()
    progress = ProgressRecord.objects.filter(dossier_id=dossier_id).select_related("organisation")
    if wanted != "all":
        progress = progress.filter(pk=wanted)
    rows = [
        progress_record(p, record["MaHoSo"], p.organisation.name) for p in progress.order_by("pk")
    ]
    try:
        _sync_dossier(record, known, http)
        for start in range(0, len(rows), wire.PROGRESS_CHUNK):
            chunk = rows[start : start + wire.PROGRESS_CHUNK]
            client.call(wire.PROGRESS_SERVICE, http=http, data=chunk)
    except client.NationalError as error:
        detail = f"{error.code}: {error.message}"
        if error.body.get("errors"):
            detail += " " + "; ".join(
                f"{e.get('field')}: {e.get('message')}" for e in error.body["errors"][:5]
            )
        raise outbox.Failure(detail, permanent=error.code in PERMANENT) from error
    return {"version": record["PhienBan"]}


def recorded(message: OutboxMessage, result, error: str) -> None:
    """In the transaction recording the attempt: the dossier's mark, or the audit row of a
    failure for good."""
    dossier_id = message.payload["dossier"]
    if not error:
        version = (result or {}).get("version", 0)
        mark, made = SyncMark.objects.select_for_update().get_or_create(
            dossier_id=dossier_id, defaults={"version": version, "synced_at": timezone.now()}
        )
        if not made:
            mark.version = max(mark.version, version)
            mark.synced_at = timezone.now()
            mark.save(update_fields=["version", "synced_at"])
    elif message.state == OutboxMessage.State.FAILED:
        audit.record(
            actor="system",
            action="sync.failed",
            obj=message,
            summary={"dossier": dossier_id, "key": message.key, "error": error[:500]},
        )


def failed():
    """Failed rows of the sync not yet sent again, newest first, with their dossier's id."""
    return (
        OutboxMessage.objects.filter(kind=KIND, state=OutboxMessage.State.FAILED)
        .exclude(sync_retry__isnull=False)
        .order_by("-id")
    )


def retry(message: OutboxMessage, *, actor) -> OutboxMessage:
    """Send a failed row again: a new row with its payload; one transaction, one audit row."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.kind != KIND or message.state != OutboxMessage.State.FAILED:
            raise ValidationError(_("Only a failed sync can be sent again."))
        if SyncRetry.objects.filter(original=message).exists():
            raise ValidationError(_("This sync has already been sent again."))
        again = outbox.add(KIND, dict(message.payload), key=f"{message.key}:again:{message.pk}")
        SyncRetry.objects.create(
            original=message,
            retry=again,
            dossier_id=message.payload["dossier"],
            retried_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="sync.retry",
            obj=message,
            summary={"dossier": message.payload["dossier"], "retry": again.pk},
        )
    return again
