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
