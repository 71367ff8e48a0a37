"""The exchange's evidence: an append-only, hash-chained log of every package, status and receipt.

One of the chains of egov.core.chain, in its own table: each row's hash covers its fields, the
previous row's hash (the global chain) and the previous row of the same document (the document's
chain), so one document's trail can be exported and checked without the rest
(egov.exchange.trail, whose ``row_hash`` is this chain's hash, computed without Django).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from egov.core import chain
from egov.core.chain import GENESIS, Anchor, Problem, Verdict
from egov.core.signing import pki
from egov.exchange.models import Evidence, Package
from egov.exchange.trail import FORMAT

__all__ = [
    "CHAIN",
    "GENESIS",
    "Anchor",
    "Entry",
    "EvidenceChain",
    "EvidenceError",
    "Problem",
    "Verdict",
    "append",
    "append_many",
    "export",
    "export_json",
    "verify",
]


class EvidenceError(RuntimeError):
    pass


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


class EvidenceChain(chain.Chain):
    name = "exchange.evidence"
    model = Evidence
    lock_key = 0x45584348  # "EXCH"
    hashed_fields = ("kind", "document_id", "organ_id", "content_sha256", "doc_prev_hash")
    deferred = ("content",)  # content_sha256 is what the hash covers

    def read_head(self, rows):
        """The chain's last row and each document's last hash, in one round trip."""
        documents = list(dict.fromkeys(row.document_id for row in rows))
        parts = [_HEAD.format(which=0, where="")]
        parts += [
            _HEAD.format(which=i, where="WHERE document_id = %s")
            for i in range(1, len(documents) + 1)
        ]
        query = Evidence.objects.raw(" UNION ALL ".join(parts), documents)
        found = {row.which: row for row in query}
        heads = {d: found[i].hash if i in found else GENESIS for i, d in enumerate(documents, 1)}
        return found.get(0), heads

    def link(self, row, heads):
        # heads: each document's last hash, or its last row earlier in this append (hashed by now).
        previous = heads[row.document_id]
        row.doc_prev_hash = previous if isinstance(previous, str) else previous.hash
        heads[row.document_id] = row

    def check(self, row, heads):
        previous = heads.get(row.document_id, GENESIS)
        heads[row.document_id] = row.hash
        if row.doc_prev_hash != previous:
            return "doc_prev_hash does not match the document's previous row"
        return None


CHAIN = EvidenceChain()


def append_many(entries: list[Entry]) -> list[Evidence]:
    """Append rows in this order inside the caller's transaction: one lock, one read of the
    chain's head (and of each document's), one insert."""
    if not connection.in_atomic_block:
        raise EvidenceError("evidence.append() must run inside the change's transaction")
    rows = [
        Evidence(
            kind=e.kind,
            document_id=e.document_id,
            organ_id=e.organ_id,
            content_sha256=e.content_sha256 or hashlib.sha256(e.content).hexdigest(),
            content=e.content if e.stored else b"",
        )
        for e in entries
    ]
    return CHAIN.append_many(rows)


def verify(anchor: Anchor | None = None) -> Verdict:
    """Walk the evidence against its last recorded anchor and ``anchor``; record its head if
    intact."""
    return CHAIN.verify(anchor)


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
        row = CHAIN.payload(entry)
        row["hash"] = entry.hash
        row["content"] = base64.b64encode(_content(entry)).decode("ascii")
        entries.append(row)
    ca = pki.ca_cert_path().read_text()
    return {
        "format": FORMAT,
        "document_id": document_id,
        "exported_at": chain.timestamp(timezone.now()),
        "ca_pem": ca,
        "entries": entries,
        "head": entries[-1]["hash"] if entries else GENESIS,
    }


def export_json(document_id: str) -> str:
    return json.dumps(export(document_id), ensure_ascii=False, indent=1)
