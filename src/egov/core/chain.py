"""Hash-chained, append-only logs, built once: the audit log, the exchange's evidence, and next
the e-Cabinet's ballots.

A chained table's rows carry a dense sequence number (1, 2, 3 ...), the previous row's hash and
their own hash, which covers the row's fields, its number, its time and the previous hash:
editing, deleting or inserting a row anywhere breaks the chain from that row on. The writers of
one chain are serialised (an advisory lock on PostgreSQL; on SQLite the settings' IMMEDIATE
transactions take the write lock at BEGIN), so a chain never forks.

What the rows cannot show is their own end: cut the last rows, or empty the table, and what is
left still links up. So every verify that finds a chain intact records its head (length and last
hash) in :class:`~egov.core.models.ChainAnchor`, outside the chain's table, and returns it for
the operator to keep elsewhere; a verify fails when the chain is shorter than, or does not
extend, the last recorded anchor or one the operator passes back (``egov audit verify --anchor
LENGTH:HASH``). On PostgreSQL the tables also refuse UPDATE, DELETE and TRUNCATE
(egov.core.appendonly).

A user of the chain declares three things:

- a model deriving from :class:`~egov.core.models.ChainedRow` (seq, created_at, prev_hash, hash);
- a :class:`Chain` subclass: its ``name`` (the anchors' key), ``model``, ``lock_key`` and the
  ``hashed_fields`` its hash covers besides the four above;
- a migration with ``AppendOnly("<model>")`` (egov.core.appendonly) after the one creating the
  table.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from egov.core.models import ChainAnchor, ChainedRow

GENESIS = "0" * 64  # the "previous hash" of a chain's first row, and the head of an empty chain


class ChainError(RuntimeError):
    pass


def timestamp(value: datetime) -> str:
    """A row's time as its hash covers it: UTC, microseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(payload: dict) -> str:
    """SHA-256 of the canonical JSON of ``payload`` (sorted keys, no spaces, UTF-8)."""
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


_ANCHOR = re.compile(r"(\d+):([0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    """A chain's head as once seen: the chain must still be at least ``length`` rows long and its
    row ``length`` must still have hash ``head``."""

    length: int
    head: str
    source: str = "the anchor given"  # how a broken-chain sentence names it

    @classmethod
    def parse(cls, text: str, source: str = "the anchor given") -> Anchor:
        """``LENGTH:HASH`` as verify prints it; ValueError with a sentence otherwise."""
        match = _ANCHOR.fullmatch(text.strip().lower())
        if match is None:
            raise ValueError(
                f"{text!r} is not an anchor: expected LENGTH:HASH, a row count, a colon and a "
                "64-character hexadecimal hash, as verify prints it"
            )
        length, head = int(match[1]), match[2]
        if length == 0 and head != GENESIS:
            raise ValueError("the anchor of an empty chain has the hash 000...0")
        return cls(length, head, source)

    @classmethod
    def recorded(cls, row: ChainAnchor) -> Anchor:
        when = row.recorded_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return cls(row.length, row.head, f"the anchor recorded at {when}")

    def __str__(self) -> str:
        return f"{self.length}:{self.head}"


@dataclass
class Problem:
    """Where a chain breaks: a row (``seq``, its ``row_id``), or its end (both None)."""

    seq: int | None
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        if self.seq is None:
            return self.reason
        return f"row seq={self.seq} (id {self.row_id}): {self.reason}"


@dataclass
class Verdict:
    """What a verify found. ``head`` is the chain's head as walked (an anchor to keep) and
    ``checked`` the anchors it was held against; ``problem`` is the first break, None if intact."""

    chain: str
    length: int
    head: Anchor
    problem: Problem | None
    checked: list[Anchor]

    @property
    def intact(self) -> bool:
        return self.problem is None


class Chain:
    """One hash-chained table. Subclass it, set the class attributes, keep one instance."""

    name: ClassVar[str]  # the anchors' key: "audit", "exchange.evidence", "cabinet.ballots"
    model: ClassVar[type[ChainedRow]]
    # The PostgreSQL advisory lock (a bigint) serialising this chain's writers: unique per chain.
    lock_key: ClassVar[int]
    # The row's own fields the hash covers, besides seq, created_at and prev_hash.
    hashed_fields: ClassVar[tuple[str, ...]]
    # Columns the walk does not need (large contents whose hash is a hashed field).
    deferred: ClassVar[tuple[str, ...]] = ()

    _taken: ClassVar[dict[tuple[str, object], type]] = {}

    def __init_subclass__(cls, **kwargs):
        # Two chains sharing a name would share anchors; sharing a lock key, their writers would
        # wait for each other.
        super().__init_subclass__(**kwargs)
        claims = [(key, getattr(cls, key, None)) for key in ("name", "lock_key")]
        claims = [claim for claim in claims if claim[1]]
        for key, value in claims:
            owner = Chain._taken.get((key, value), cls)
            if owner is not cls:
                raise TypeError(f"{cls.__qualname__}: {owner.__qualname__} has {key} {value!r}")
        Chain._taken.update(dict.fromkeys(claims, cls))

    # -- hashing -------------------------------------------------------------------------------

    def payload(self, row: ChainedRow) -> dict[str, Any]:
        """What the row's hash covers. Changing it for existing rows breaks their chain."""
        payload = {field: getattr(row, field) for field in self.hashed_fields}
        payload.update(seq=row.seq, created_at=timestamp(row.created_at), prev_hash=row.prev_hash)
        return payload

    def hash(self, row: ChainedRow) -> str:
        return digest(self.payload(row))

    # -- appending -----------------------------------------------------------------------------

    def read_head(self, rows: list[ChainedRow]) -> tuple[ChainedRow | None, Any]:
        """The chain's last row (None when empty), read under the lock, and whatever state
        :meth:`link` needs (one round trip: override to read more in the same query)."""
        last = self.model.objects.order_by("-seq").only("seq", "hash", "created_at").first()
        return last, None

    def link(self, row: ChainedRow, state: Any) -> None:
        """Set the fields of ``row`` that depend on the rows before it, other than seq and
        prev_hash (the evidence's link to the previous row of the same document). The rows
        before it in the same append already have their hash."""

    def append(self, row: ChainedRow) -> ChainedRow:
        return self.append_many([row])[0]

    def append_many(self, rows: list[ChainedRow]) -> list[ChainedRow]:
        """Number, time, link, hash and insert ``rows`` in this order, inside the caller's
        transaction (the change they record): one lock, one read of the chain's end, one INSERT
        whatever their number."""
        if not connection.in_atomic_block:
            raise ChainError(f"{self.name}: append inside the transaction of the change it records")
        if not rows:
            return []
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock_key])
        last, state = self.read_head(rows)
        now = timezone.now()
        if last is not None and now < last.created_at:
            now = last.created_at  # clocks of several hosts: time never runs backwards in a chain
        seq, prev_hash = (last.seq, last.hash) if last is not None else (0, GENESIS)
        for row in rows:
            seq += 1
            row.seq, row.created_at, row.prev_hash = seq, now, prev_hash
            self.link(row, state)
            row.hash = prev_hash = self.hash(row)
        if len(rows) == 1:
            rows[0].save(force_insert=True)
        else:
            self.model.objects.bulk_create(rows)
        return rows

    # -- verifying -----------------------------------------------------------------------------

    def check(self, row: ChainedRow, state: dict) -> str | None:
        """A user's own check of ``row`` in the walk (None: fine). Called for every row, in
        order, with a dict kept for the walk, even after a problem (so it can keep track)."""
        return None

    def walk(self) -> QuerySet:
        rows = self.model.objects.order_by("seq")
        return rows.defer(*self.deferred) if self.deferred else rows

    def problems(
        self, anchors: Sequence[Anchor] = (), tally: dict | None = None
    ) -> Iterator[Problem]:
        """Walk the chain in order and yield each break (the first is the one that matters);
        ``tally`` receives the number of rows and the last hash walked."""
        expected, prev_hash, prev_time, last_id, length = 1, GENESIS, None, 0, 0
        at: dict[int, list[Anchor]] = {}
        for anchor in anchors:
            at.setdefault(anchor.length, []).append(anchor)
        state: dict = {}
        for row in self.walk().iterator(chunk_size=2000):
            own = self.check(row, state)
            reason = None
            if row.seq != expected:
                what = "missing (deleted?)" if row.seq > expected else "repeated"
                reason = f"expected seq {expected}: a row is {what}"
            elif row.prev_hash != prev_hash:
                reason = "prev_hash does not match the previous row"
            elif own:
                reason = own
            elif self.hash(row) != row.hash:
                reason = "content does not match its hash (edited?)"
            elif row.pk < last_id or (prev_time is not None and row.created_at < prev_time):
                reason = "inserted out of order"
            elif bad := [a for a in at.get(row.seq, ()) if a.head != row.hash]:
                reason = (
                    f"its hash is not the one {bad[0].source} gives for row {row.seq}: "
                    "the chain was rewritten up to here"
                )
            if reason:
                yield Problem(row.seq, row.pk, reason)
            expected, prev_hash, prev_time, last_id = row.seq + 1, row.hash, row.created_at, row.pk
            length += 1
        if tally is not None:
            tally.update(length=length, head=prev_hash)
        for anchor in anchors:
            if anchor.length > length:
                yield Problem(
                    None,
                    None,
                    f"the chain has {length} rows but {anchor.source} says it had "
                    f"{anchor.length}: rows were removed from its end, or it was emptied",
                )

    def last_anchor(self) -> Anchor | None:
        row = ChainAnchor.objects.filter(chain=self.name).order_by("-id").first()
        return Anchor.recorded(row) if row is not None else None

    def verify(self, anchor: Anchor | None = None, *, record: bool = True) -> Verdict:
        """Walk the whole chain; hold it against the last recorded anchor and ``anchor``; if it
        is intact and ``record``, record its head as the next anchor.

        Recording is not audited: the audit log is itself a chain, and an audit row per verify
        would move the head just recorded. The anchors table is append-only instead.
        """
        # The last anchor is read before the walk: one recorded meanwhile by a concurrent verify
        # may be longer than what this walk sees.
        last = self.last_anchor()
        checked = [a for a in (last, anchor) if a is not None]
        tally: dict = {}
        problem = None
        for found in self.problems(checked, tally):  # to the end: the length counts every row
            problem = problem or found
        head = Anchor(tally["length"], tally["head"], "this verify")
        if problem is None and record and (last is None or last.length != head.length):
            ChainAnchor.objects.create(chain=self.name, length=head.length, head=head.head)
        return Verdict(self.name, head.length, head, problem, checked)
