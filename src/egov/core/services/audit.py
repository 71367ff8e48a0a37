"""Append rows to the audit log and verify its hash chain.

The log is one of the chains of egov.core.chain (which serialises writers, links and hashes the
rows, and verifies them against recorded anchors); this module says what an audit row holds.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django.db import connection

from egov.core import chain
from egov.core.chain import GENESIS, Anchor, Problem, Verdict
from egov.core.middleware import current_request_id
from egov.core.models import AuditEntry
from egov.core.signals import audit_recorded

__all__ = [
    "CHAIN",
    "GENESIS",
    "Anchor",
    "AuditChain",
    "AuditError",
    "Problem",
    "Verdict",
    "actor_ref",
    "compute_hash",
    "deferred",
    "record",
    "record_many",
    "verify",
]


class AuditError(RuntimeError):
    pass


class AuditChain(chain.Chain):
    name = "audit"
    model = AuditEntry
    lock_key = 0x45474F56  # "EGOV"
    hashed_fields = (
        "actor",
        "organisation_id",
        "action",
        "object_type",
        "object_id",
        "summary",
        "request_id",
    )

    def append_many(self, rows):
        rows = super().append_many(rows)
        if rows:
            # Apps above core learn what changed without core importing them (the service
            # index keys its caches by the sources its figures read).
            audit_recorded.send(sender=AuditEntry, entries=rows)
        return rows


CHAIN = AuditChain()


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


def compute_hash(entry: AuditEntry) -> str:
    return CHAIN.hash(entry)


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
    request_id = current_request_id() or ""
    entries = []
    for row in rows:
        obj, object_type, object_id = row.get("obj"), row.get("object_type"), row.get("object_id")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = obj.pk if object_id is None else object_id
        organisation = row.get("organisation")
        entries.append(
            AuditEntry(
                actor=actor_ref(row.get("actor")),
                organisation_id=getattr(organisation, "pk", organisation),
                action=row["action"],
                object_type=object_type or "",
                object_id="" if object_id is None else str(object_id),
                summary=row.get("summary") or {},
                request_id=request_id,
            )
        )
    held = getattr(_deferred, "rows", None)
    if held is not None:
        held.extend(entries)
        return entries
    return CHAIN.append_many(entries)


# The rows held back by deferred(), per thread (a gthread worker serves requests in threads).
_deferred = threading.local()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold the rows recorded inside back and append them all at the end of the block, in their
    order, with one lock and one INSERT: the chain's lock (one for the whole log) is then held
    from there to the commit, not from the first act of a long transaction (a payment's
    confirmation moves the dossier, draws receipt numbers, then records). Use it inside the
    transaction, around code that does not catch a rolled-back savepoint of its own (its rows
    would still be appended). Nothing is appended if the block raises."""
    if not connection.in_atomic_block:
        raise AuditError("audit.deferred() must be used inside the change's transaction")
    if getattr(_deferred, "rows", None) is not None:
        yield  # already deferring: the outer block appends
        return
    _deferred.rows = rows = []
    try:
        yield
    finally:
        _deferred.rows = None
    CHAIN.append_many(rows)


def verify(anchor: Anchor | None = None) -> Verdict:
    """Walk the log against its last recorded anchor and ``anchor``; record its head if intact."""
    return CHAIN.verify(anchor)
