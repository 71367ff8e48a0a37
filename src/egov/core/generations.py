"""Generation counters: a value per source of data, kept in the shared cache, that a change of
the source replaces after its commit, so that a cache of something computed from the source is
keyed by (or stores) the counters it was computed from and is never read stale.

A bump sets a fresh value (the clock in nanoseconds and a random part), never an increment: the
database cache's ``incr`` is a read then a write, and two bumps at once could both write the
same value over something cached in between; two fresh values differ. A counter the cache lost
starts again from a fresh value too: a key made before cannot come back. The bump runs after
the commit (``transaction.on_commit``): a reader that computed between the commit and the bump
stored fresher data under the old value, never older data under the new one.

What moves the counters is the audit log: every state change writes its rows in its own
transaction and core sends ``egov.core.signals.audit_recorded``. An app declares its counters
and the actions that move them (:class:`Counters`) and registers them from its
``AppConfig.ready()`` (:func:`register`); core reads the rows and bumps after the commit: one
``on_commit`` callback per batch of rows and app with something to move, which runs nothing
for a rolled-back change.
Registered by the service index (egov.serviceindex.sources), the consultation's draft page
(egov.consultation.memo) and the command centre's own counts and tiles
(egov.reporting.freshness).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from fnmatch import translate

from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver

from egov.core.signals import audit_recorded

# The counters live as long as anything: their loss is safe (see above), only wasteful.
FOREVER = None


def fresh() -> int:
    """A counter's new value: never one it had."""
    return time.time_ns() * 1000 + secrets.randbelow(1000)


def read(keys: Iterable[str]) -> dict[str, int]:
    """{key: its counter}, one made for each the cache does not hold (``add``: two readers at
    once agree on the first one written)."""
    keys = list(keys)
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, fresh(), FOREVER)
        found.update(cache.get_many(missing))
    return {key: found.get(key, 0) for key in keys}


def read_with(keys: Iterable[str], others: Iterable[str]) -> tuple[dict[str, int], dict]:
    """(``read(keys)``, the values of the cache keys ``others`` it holds): one cache read when
    every counter is there, which is what a page whose cached value says which counters it was
    made from needs."""
    keys, others = list(keys), list(others)
    found = cache.get_many(keys + others)
    if any(key not in found for key in keys):
        return read(keys), {}
    return {key: found[key] for key in keys}, {key: found[key] for key in others if key in found}


def bump(keys: Iterable[str]) -> None:
    cache.set_many({key: fresh() for key in set(keys)}, FOREVER)


# --- what moves them ---------------------------------------------------------------------------

# What an action moves: a counter's name, several, or ``f(entry)`` giving them from the audit row.
Moves = str | Iterable[Hashable] | Callable[[object], Iterable[Hashable]]


def _pattern(patterns: Iterable[str]) -> re.Pattern:
    return re.compile("|".join(translate(p) for p in patterns) or "(?!)")


class Counters:
    """An app's counters (cache keys ``prefix`` + a name) and the audit actions that move them.

    ``moves``: {pattern: what it moves}, every pattern matching an audit row's action counting.
    A pattern is matched against the whole action as a shell pattern (fnmatch, case kept):
    ``"procedure.*"`` an app's acts, ``"exchange.document_registered"`` one act,
    ``"payments.refund*"`` a prefix, ``"*"`` every act. ``unread``: patterns of acts that move
    nothing whatever ``moves`` says (``"*_refused"``: a refused act changed nothing but its
    audit row).

    What an action moves is counters' names (strings), or anything else hashable that only a
    query can turn into names, which ``resolve`` does after the commit (a petition's
    organisations, a comment's consultation): ``resolve(items)`` gets those items of one batch
    of audit rows at once and gives names.
    """

    def __init__(
        self,
        prefix: str,
        moves: Mapping[str, Moves],
        *,
        unread: Iterable[str] = (),
        resolve: Callable[[set], Iterable[str]] | None = None,
    ):
        self.prefix, self.resolve = prefix, resolve
        self._moves = [(_pattern([p]), moved) for p, moved in moves.items()]
        self._unread = _pattern(unread)

    def moved(self, entries) -> set:
        """What the audit rows ``entries`` move: names, and items for ``resolve``."""
        found: set = set()
        for entry in entries:
            if self._unread.fullmatch(entry.action):
                continue
            for pattern, moved in self._moves:
                if not pattern.fullmatch(entry.action):
                    continue
                if callable(moved):
                    found.update(moved(entry))
                elif isinstance(moved, str):
                    found.add(moved)
                else:
                    found.update(moved)
        return found

    def bump(self, names: Iterable[str]) -> None:
        bump(self.prefix + name for name in names)

    def after_commit(self, moved: set) -> None:
        """Bump what ``moved`` says after the commit of the current transaction (for a change
        that writes no audit row, e.g. the sync's mark)."""
        self.on_commit(lambda: self._bump_moved(moved))

    def on_commit(self, run: Callable[[], None]) -> None:
        # One place to run the bump at once where nothing commits (an app's tests).
        transaction.on_commit(run)

    def _bump_moved(self, moved: set) -> None:
        names = {item for item in moved if isinstance(item, str)}
        others = moved - names
        if others:
            if self.resolve is None:
                raise TypeError(f"{self.prefix}: nothing resolves {others!r} into names")
            names.update(self.resolve(others))
        self.bump(names)


_registered: dict[str, Counters] = {}


def register(counters: Counters) -> None:
    """Follow the audit log for ``counters`` (from ``AppConfig.ready()``; registering the same
    prefix again replaces the first)."""
    _registered[counters.prefix] = counters


@receiver(audit_recorded, dispatch_uid="core.generations.audit")
def _on_audit(sender, entries, **kwargs) -> None:
    for counters in list(_registered.values()):
        moved = counters.moved(entries)
        if moved:
            counters.after_commit(moved)
