"""Shared fixtures. The suite runs on SQLite, and on PostgreSQL when DATABASE_URL says so."""

import os

os.environ.setdefault("EGOV_ENV", "test")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_var_dir(tmp_path, settings):
    """Each test gets its own var/ (PKI, mail, media) so nothing leaks between tests."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "var" / "mail"
    settings.EGOV_PKI_DIR = tmp_path / "var" / "pki"
    # Rate-limit counters and replay guards live in the cache: none carries over between tests.
    from django.core.cache import cache

    cache.clear()


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor}"


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
