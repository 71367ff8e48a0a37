"""The exchange's evidence: an append-only, hash-chained log of every package, status and receipt.

Modelled on the audit log (egov.core.services.audit) but in its own table: each row's hash covers
its fields, the previous row's hash (the global chain) and the previous row of the same document
(the document's chain), so one document's trail can be exported and checked without the rest.
Writers are serialised (an advisory lock on PostgreSQL, the write lock on SQLite).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from egov.core.signing import pki
from egov.exchange.models import Evidence, Package
from egov.exchange.trail import FORMAT, GENESIS, row_hash

_PG_LOCK_KEY = 0x45584348  # "EXCH"


class EvidenceError(RuntimeError):
    pass


def _created(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _row(entry: Evidence) -> dict:
    return {
        "seq": entry.seq,
        "created_at": _created(entry.created_at),
        "kind": entry.kind,
        "document_id": entry.document_id,
        "organ_id": entry.organ_id,
        "content_sha256": entry.content_sha256,
        "doc_prev_hash": entry.doc_prev_hash,
        "prev_hash": entry.prev_hash,
    }


@dataclass
class Entry:
    """One row to append: ``stored=False`` keeps only the content's hash (the content is kept
    elsewhere, e.g. the package file)."""

    kind: str
    document_id: str
    organ_id: str
    content: bytes
    stored: bool = True
    content_sha256: str = ""  # the content's SHA-256 if the caller has it (saves a pass)


def append(*, kind: str, document_id: str, organ_id: str, content: bytes, stored=True) -> Evidence:
    """Append one row inside the caller's transaction. ``stored=False``: the content is kept
    elsewhere (the package file) and only its hash is in the row."""
    return append_many([Entry(kind, document_id, organ_id, content, stored)])[0]


_HEAD = (
    "SELECT id, seq, hash, created_at, {which} AS which FROM (SELECT id, seq, hash, created_at"
    " FROM exchange_evidence {where} ORDER BY seq DESC LIMIT 1) h{which}"
)


def _heads(documents: list[str]) -> tuple[Evidence | None, dict[str, str]]:
    """The chain's last row and each document's last hash, in one round trip (after the lock)."""
    parts = [_HEAD.format(which=0, where="")]
    parts += [
        _HEAD.format(which=i, where="WHERE document_id = %s") for i in range(1, len(documents) + 1)
    ]
    found = {row.which: row for row in Evidence.objects.raw(" UNION ALL ".join(parts), documents)}
    heads = {d: found[i].hash if i in found else GENESIS for i, d in enumerate(documents, start=1)}
    return found.get(0), heads


def append_many(entries: list[Entry]) -> list[Evidence]:
    """Append rows in this order inside the caller's transaction: one lock, one read of the
    chain's head (and of each document's), one insert."""
    if not connection.in_atomic_block:
        raise EvidenceError("evidence.append() must run inside the change's transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    documents = list(dict.fromkeys(e.document_id for e in entries))
    last, doc_heads = _heads(documents)
    now = timezone.now()
    if last is not None and now < last.created_at:
        now = last.created_at
    seq = last.seq if last else 0
    prev = last.hash if last else GENESIS
    rows = []
    for e in entries:
        seq += 1
        row = Evidence(
            seq=seq,
            created_at=now,
            kind=e.kind,
            document_id=e.document_id,
            organ_id=e.organ_id,
            content_sha256=e.content_sha256 or hashlib.sha256(e.content).hexdigest(),
            content=e.content if e.stored else b"",
            doc_prev_hash=doc_heads[e.document_id],
            prev_hash=prev,
        )
        row.hash = row_hash(_row(row))
        prev = doc_heads[e.document_id] = row.hash
        rows.append(row)
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        Evidence.objects.bulk_create(rows)
    return rows


@dataclass
class Problem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"evidence row seq={self.seq}: {self.reason}"


def iter_problems(chunk_size: int = 2000) -> Iterator[Problem]:
    expected = 1
    prev = GENESIS
    doc_heads: dict[str, str] = {}
    rows = Evidence.objects.order_by("seq").defer("content").iterator(chunk_size=chunk_size)
    for entry in rows:
        if entry.seq != expected:
            yield Problem(entry.seq, f"expected seq {expected}: a row is missing or repeated")
        elif entry.prev_hash != prev:
            yield Problem(entry.seq, "prev_hash does not match the previous row")
        elif entry.doc_prev_hash != doc_heads.get(entry.document_id, GENESIS):
            yield Problem(entry.seq, "doc_prev_hash does not match the document's previous row")
        elif row_hash(_row(entry)) != entry.hash:
            yield Problem(entry.seq, "content does not match its hash (edited?)")
        expected = entry.seq + 1
        prev = entry.hash
        doc_heads[entry.document_id] = entry.hash


def verify() -> tuple[int, Problem | None]:
    return Evidence.objects.count(), next(iter_problems(), None)


def _content(entry: Evidence) -> bytes:
    if entry.content:
        return bytes(entry.content)
    package = Package.objects.get(document_id=entry.document_id)
    with default_storage.open(package.original, "rb") as handle:
        return handle.read()


def export(document_id: str) -> dict:
    """The document's trail as a JSON-able dict that :func:`egov.exchange.trail.check` verifies."""
    entries = []
    for entry in Evidence.objects.filter(document_id=document_id).order_by("seq"):
        row = _row(entry)
        row["hash"] = entry.hash
        row["content"] = base64.b64encode(_content(entry)).decode("ascii")
        entries.append(row)
    ca = pki.ca_cert_path().read_text()
    return {
        "format": FORMAT,
        "document_id": document_id,
        "exported_at": _created(timezone.now()),
        "ca_pem": ca,
        "entries": entries,
        "head": entries[-1]["hash"] if entries else GENESIS,
    }


def export_json(document_id: str) -> str:
    return json.dumps(export(document_id), ensure_ascii=False, indent=1)
