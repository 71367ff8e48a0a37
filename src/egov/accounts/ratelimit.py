"""Fixed-window rate limits in the Django cache (shared between processes when CACHES is).

``hit(key, limit, window)`` counts one attempt and says whether it is still within the limit.
With the default local-memory cache each process counts on its own; production with several
processes uses the database cache (``EGOV_CACHE=db``) or Redis (``EGOV_CACHE=redis://...``, see
docs/configuration.md). On Redis a hit is one round trip (a script: INCR, and EXPIRE on the
window's first hit); Django's ``incr`` would be two (EXISTS, then INCR) and a first ``add``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction


def clock() -> float:
    """The time windows are cut from (the tests pin it, so that a window's end falling between
    two attempts of one test cannot split their count)."""
    return time.time()


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/min"`` → (10, 60). Units: s, min, h, day (or sec, m, hour, d)."""
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}
    seconds.update({"d": 86400, "day": 86400})
    return int(count), seconds[unit.strip().lower()]


def hit(key: str, rate: str) -> tuple[bool, int]:
    """Count one attempt under ``key``; (allowed, seconds until the window resets)."""
    counted = count(key, rate)
    return counted.allowed, counted.retry_after


@dataclass(frozen=True)
class Counted:
    """One attempt counted: the window's count so far, its limit, start and length."""

    count: int
    limit: int
    start: int
    window: int
    retry_after: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


def count(key: str, rate: str) -> Counted:
    """Count one attempt under ``key`` and say where the window stands (``hit`` in full)."""
    limit, window = parse_rate(rate)
    now = int(clock())
    start = now - now % window
    counted = _counted(f"egov:rl:{key}:{start}", window)
    return Counted(counted, limit, start, window, start + window - now)


def _counted(cache_key: str, window: int) -> int:
    """Count one attempt in the window's counter; its new value (the cheapest way per cache)."""
    backend = caches["default"]  # ``cache`` is a proxy: isinstance() cannot see through it
    if isinstance(backend, RedisCache):
        return _redis_count(backend, cache_key, window)
    if isinstance(backend, DatabaseCache):
        alias = router.db_for_write(backend.cache_model_class)
        db = connections[alias]
        if db.vendor == "postgresql" and not db.in_atomic_block:
            # The counter's own transaction commits without waiting for the WAL flush (~1.7 ms
            # of fdatasync per hit here): a crash may forget the last fraction of a second of
            # counts, which a rate limit can afford. Not inside a caller's transaction, whose
            # commit must stay durable.
            with transaction.atomic(using=alias):
                with db.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                return _count(cache_key, window)
    return _count(cache_key, window)


def _count(cache_key: str, window: int) -> int:
    try:
        # Counting first: within a window the key exists (one read and one write in the cache
        # instead of a failed add, a read and a write).
        count = cache.incr(cache_key)
    except ValueError:  # first attempt of the window (or the key expired)
        if cache.add(cache_key, 1, timeout=window + 1):
            count = 1
        else:  # another process added it in between
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, timeout=window + 1)
                count = 1
    return count


# INCR, and the expiry on the window's first hit, in one command and one reply: a pipeline's
# MULTI/INCR/EXPIRE/EXEC is the same round trip but four replies to parse (the lookup bench:
# about a fifth of the lookup's own CPU went to redis-py). Atomic like the transaction was.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def _redis_count(backend: RedisCache, cache_key: str, window: int) -> int:
    key = backend.make_and_validate_key(cache_key)
    counter = getattr(backend, "_egov_counter", None)  # one per cache object, so per thread
    if counter is None:
        counter = backend._egov_counter = _RedisCounter(backend._cache.get_client(key, write=True))
    return counter.count(key, window + 1)


class _RedisCounter:
    """The counting script run on one connection of the cache's pool, kept for this cache
    object: redis-py's command path (a pool checkout that polls for stale replies, retry
    wrappers, the release) took as much of the lookup's CPU as the round trip itself. A broken
    connection is dropped and the count tried once more on a new one."""

    def __init__(self, client):
        from redis import exceptions  # the optional extra ``redis``: imported only when used

        self.broken = (exceptions.ConnectionError, exceptions.TimeoutError)
        self.no_script = exceptions.NoScriptError
        self.pool = client.connection_pool
        self.sha = client.register_script(_COUNT_SCRIPT).sha
        self.connection = None
        self.pid = os.getpid()

    def count(self, key: str, expiry: int) -> int:
        if self.pid != os.getpid():  # forked: the connection is the parent's
            self.connection, self.pid = None, os.getpid()
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self.pool.get_connection()
            connection = self.connection
            try:
                connection.send_command("EVALSHA", self.sha, 1, key, expiry)
                try:
                    return int(connection.read_response())
                except self.no_script:  # a restarted or flushed server: EVAL loads it again
                    connection.send_command("EVAL", _COUNT_SCRIPT, 1, key, expiry)
                    return int(connection.read_response())
            except self.broken:
                connection.disconnect()
                self.pool.release(connection)
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def client_ip(request) -> str:
    # REMOTE_ADDR only: behind a proxy, the proxy must set it (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"
