"""Append rows to the audit log and verify its hash chain.

Each row's hash covers its own fields and the previous row's hash, so editing, deleting or
inserting a row anywhere breaks the chain from that row on. Writers are serialised (an advisory
lock on PostgreSQL, the IMMEDIATE write lock on SQLite) so the chain has no forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from egov.core.middleware import current_request_id
from egov.core.models import AuditEntry

GENESIS = "0" * 64
# Arbitrary constant: the PostgreSQL advisory lock that serialises audit writers.
_PG_LOCK_KEY = 0x45474F56  # "EGOV"


class AuditError(RuntimeError):
    pass


def actor_ref(actor) -> str:
    """An id-only reference to who acted: never a name, e-mail or ID number."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    if getattr(actor, "audit_ref", None):  # e.g. an API client's principal: "client:7"
        return actor.audit_ref
    if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None):
        return f"user:{actor.pk}"
    return "anonymous"


def _canonical(entry: AuditEntry) -> bytes:
    created = entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {
        "seq": entry.seq,
        "created_at": created,
        "actor": entry.actor,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    organisation=None,
    summary: dict | None = None,
) -> AuditEntry:
    """Append one row. Must run inside the transaction of the change it records."""
    return record_many(
        [
            {
                "actor": actor,
                "action": action,
                "obj": obj,
                "object_type": object_type,
                "object_id": object_id,
                "organisation": organisation,
                "summary": summary,
            }
        ]
    )[0]


def record_many(rows: list[dict]) -> list[AuditEntry]:
    """Append several rows in order, each a dict of :func:`record`'s arguments: one lock, one read
    of the chain's end and one INSERT for all of them (a batch of acts in one transaction)."""
    if not connection.in_atomic_block:
        raise AuditError("audit.record() must be called inside the change's transaction")
    if not rows:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash", "created_at").first()
    now = timezone.now()
    if last is not None and now < last.created_at:
        now = last.created_at  # clocks of several hosts: time never runs backwards in the log
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS)
    request_id = current_request_id() or ""
    entries = []
    for row in rows:
        obj, object_type, object_id = row.get("obj"), row.get("object_type"), row.get("object_id")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = obj.pk if object_id is None else object_id
        organisation = row.get("organisation")
        seq += 1
        entry = AuditEntry(
            seq=seq,
            created_at=now,
            actor=actor_ref(row.get("actor")),
            organisation_id=getattr(organisation, "pk", organisation),
            action=row["action"],
            object_type=object_type or "",
            object_id="" if object_id is None else str(object_id),
            summary=row.get("summary") or {},
            request_id=request_id,
            prev_hash=prev_hash,
        )
        entry.hash = prev_hash = compute_hash(entry)
        entries.append(entry)
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        AuditEntry.objects.bulk_create(entries)
    return entries


@dataclass
class Problem:
    seq: int | None
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"row seq={self.seq} (id {self.row_id}): {self.reason}"


def iter_problems(chunk_size: int = 5000) -> Iterator[Problem]:
    """Walk the chain in order; yield each break (the first is the one that matters)."""
    expected_seq = 1
    prev_hash = GENESIS
    prev_time: datetime | None = None
    last_id = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            what = "missing (deleted?)" if entry.seq > expected_seq else "repeated"
            yield Problem(entry.seq, entry.pk, f"expected seq {expected_seq}: a row is {what}")
        elif entry.prev_hash != prev_hash:
            yield Problem(entry.seq, entry.pk, "prev_hash does not match the previous row")
        elif compute_hash(entry) != entry.hash:
            yield Problem(entry.seq, entry.pk, "content does not match its hash (edited?)")
        elif entry.pk < last_id or (prev_time and entry.created_at < prev_time):
            yield Problem(entry.seq, entry.pk, "inserted out of order")
        expected_seq = entry.seq + 1
        prev_hash = entry.hash
        prev_time = entry.created_at
        last_id = entry.pk


def verify() -> tuple[int, Problem | None]:
    """Return (rows checked, first problem or None)."""
    count = AuditEntry.objects.count()
    return count, next(iter_problems(), None)
