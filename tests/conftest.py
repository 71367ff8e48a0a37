"""Shared fixtures. The suite runs on SQLite, and on PostgreSQL when DATABASE_URL says so."""

import os
import time
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("EGOV_ENV", "test")

import pytest  # noqa: E402
from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Property tests check what is true, never how fast: on a machine shared with other runs, input
# generation and single examples can be slow (a reporting property failed "input generation is
# slow" once under load), so neither the deadline nor the too_slow health check applies.
hypothesis_settings.register_profile(
    "egov", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("egov")


@pytest.fixture(autouse=True)
def _isolated_var_dir(tmp_path, settings, monkeypatch):
    """Each test gets its own var/ (PKI, mail, media) so nothing leaks between tests."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "var" / "mail"
    settings.EGOV_PKI_DIR = tmp_path / "var" / "pki"
    # Rate-limit counters and replay guards live in the cache: none carries over between tests.
    from django.core.cache import cache

    cache.clear()
    # Fixed windows cut at the minute (hour, day): one test's attempts all fall in one window,
    # whatever the time it runs (CI once saw [200, 200] for [200, 429] across a minute's end).
    from egov.accounts import ratelimit

    pinned = int(time.time()) // 86400 * 86400 + 30
    monkeypatch.setattr(ratelimit, "clock", lambda: pinned)
    # So are remembered search results: a rolled-back test's procedures sent no signal.
    from egov.catalog import results

    results.forget()


def _redis_db_url(url: str, number: int) -> str:
    # The database number in a URL wins over a db= argument: write it into the URL.
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return urlunsplit(parts._replace(query=f"db={number}"))
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture(scope="session")
def _task_redis_db():
    """On the RQ task backend (EGOV_TASKS=rq), this run's own Redis database (1-15): claimed with
    a key in database 0 (SET NX, released at the end), so that two runs on one machine never
    take each other's tasks. None on the database backend."""
    from django.conf import settings

    if settings.EGOV_TASKS != "rq":
        yield None
        return
    import redis

    url = settings.RQ_QUEUES["default"]["URL"]
    claims = redis.Redis.from_url(_redis_db_url(url, 0))
    try:
        claims.ping()
    except redis.ConnectionError as exc:
        pytest.exit(f"EGOV_TASKS=rq: no Redis at {url} ({exc})", 1)
    for number in range(1, 16):
        claim = f"egov:test-run:db{number}"
        if claims.set(claim, os.getpid(), nx=True, ex=6 * 3600):
            break
    else:
        pytest.exit("no free Redis database (1-15) for the RQ task backend's tests", 1)
    url = _redis_db_url(url, number)
    db = redis.Redis.from_url(url)
    settings.RQ_QUEUES = {name: {**queue, "URL": url} for name, queue in settings.RQ_QUEUES.items()}
    # A worker a test starts in another process reads the same database from the environment.
    before = os.environ.get("EGOV_TASKS_REDIS_URL")
    os.environ["EGOV_TASKS_REDIS_URL"] = url
    try:
        yield db
    finally:
        db.flushdb()
        claims.delete(claim)
        if before is None:
            os.environ.pop("EGOV_TASKS_REDIS_URL", None)
        else:
            os.environ["EGOV_TASKS_REDIS_URL"] = before


@pytest.fixture(autouse=True)
def _empty_task_queue(_task_redis_db):
    """Each test starts with an empty Redis queue, as it does with an empty task table."""
    if _task_redis_db is not None:
        _task_redis_db.flushdb()


def pytest_collection_modifyitems(config, items):
    """Browser tests (a live server, Chromium) are slow: ``scripts/test --fast`` leaves them out."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config):
    from django.conf import settings
    from django.db import connection

    return f"database: {connection.vendor}, tasks: {settings.EGOV_TASKS}"


def pytest_configure(config):
    _flush_past_append_only_triggers()


def _flush_past_append_only_triggers():
    """Django's test flush (TransactionTestCase, ``transactional_db``, live-server tests) empties
    the tables with one TRUNCATE on PostgreSQL, which the chains' tables refuse
    (egov.core.appendonly). The flush runs its statements in one transaction: start it with
    ``SET LOCAL session_replication_role = replica`` (triggers do not fire; superuser only, as the
    tamper tests already need). Patched here, in the test process only, so that production has no
    switch that lets a TRUNCATE through."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no PostgreSQL driver: the suite runs on SQLite
        return
    sql_flush = DatabaseOperations.sql_flush

    def flush_past_triggers(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else []

    DatabaseOperations.sql_flush = flush_past_triggers
