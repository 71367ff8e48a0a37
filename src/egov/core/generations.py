"""Generation counters: a value per source of data, kept in the shared cache, that a change of
the source replaces after its commit, so that a cache of something computed from the source is
keyed by (or stores) the counters it was computed from and is never read stale.

A bump sets a fresh value (the clock in nanoseconds and a random part), never an increment: the
database cache's ``incr`` is a read then a write, and two bumps at once could both write the
same value over something cached in between; two fresh values differ. A counter the cache lost
starts again from a fresh value too: a key made before cannot come back. The bump runs after
the commit (``transaction.on_commit``): a reader that computed between the commit and the bump
stored fresher data under the old value, never older data under the new one.

Used by the service index (egov.serviceindex.sources), the consultation's draft page
(egov.consultation.memo) and the command centre's own counts and tiles
(egov.reporting.freshness); each bumps from ``egov.core.signals.audit_recorded``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from django.core.cache import cache

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
