"""Per-address rate limits (egov.accounts.ratelimit) on each cache the settings offer."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from egov.accounts import ratelimit

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def _count_to_the_limit() -> None:
    key = f"test:{uuid.uuid4().hex}"
    assert [ratelimit.hit(key, "3/min")[0] for _ in range(5)] == [True] * 3 + [False] * 2
    allowed, retry = ratelimit.hit(f"{key}-other", "3/min")
    assert allowed and 0 < retry <= 60


def test_limit_on_the_local_memory_cache():
    _count_to_the_limit()


@pytest.mark.django_db
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "egov_cache",
        }
    }
)
def test_limit_on_the_database_cache():
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    _count_to_the_limit()


@pytest.mark.django_db(transaction=True)
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "egov_cache",
        }
    }
)
def test_database_cache_counter_does_not_wait_for_the_flush_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    with CaptureQueriesContext(connection) as own:
        _count_to_the_limit()
    assert sum("synchronous_commit" in q["sql"] for q in own.captured_queries) == 6
    # Inside a caller's transaction its commit stays durable: the setting is left alone.
    with transaction.atomic(), CaptureQueriesContext(connection) as inside:
        assert ratelimit.hit(f"test:{uuid.uuid4().hex}", "3/min")[0]
    assert not any("synchronous_commit" in q["sql"] for q in inside.captured_queries)


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "egov-test",
        }
    }
)
def test_limit_on_redis_in_one_round_trip_with_an_expiry():
    _count_to_the_limit()
    key = f"test:{uuid.uuid4().hex}"
    ratelimit.hit(key, "10/min")
    backend = caches["default"]
    stored = [k for k in backend._cache.get_client().keys(f"*{key}*")]
    assert len(stored) == 1
    assert 0 < backend._cache.get_client().ttl(stored[0]) <= 61
    # The counter is what Django's cache API reads too.
    (name,) = [k.decode().split(":", 2)[2] for k in stored]
    assert backend.get(name) == 1


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "egov-test",
        }
    }
)
def test_redis_counter_survives_a_lost_script_and_a_broken_connection():
    key = f"test:{uuid.uuid4().hex}"
    assert ratelimit.count(key, "10/min").count == 1
    counter = caches["default"]._egov_counter
    # The server forgot the script (restart, SCRIPT FLUSH): EVAL, same count.
    counter.sha = "0" * 40
    assert ratelimit.count(key, "10/min").count == 2
    # The kept connection broke: a new one, the attempt counted once.
    counter.connection._sock.shutdown(socket.SHUT_RDWR)
    assert ratelimit.count(key, "10/min").count == 3
    # The expiry is set by the window's first hit, not pushed back by later ones.
    client = caches["default"]._cache.get_client()
    (stored,) = client.keys(f"*{key}*")
    assert 0 < client.ttl(stored) <= 61
    client.expire(stored, 5)
    ratelimit.count(key, "10/min")
    assert client.ttl(stored) <= 5
