"""Settings come from the environment; production refuses unsafe defaults."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts Python in a subprocess with its own environment.
pytestmark = pytest.mark.slow

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.db import connection
db = settings.DATABASES["default"]
out = {"debug": settings.DEBUG, "secure": settings.SESSION_COOKIE_SECURE,
       "hsts": settings.SECURE_HSTS_SECONDS, "options": db.get("OPTIONS", {}),
       "email_timeout": settings.EMAIL_TIMEOUT}
if connection.vendor == "sqlite":
    with connection.cursor() as c:
        out["journal_mode"] = c.execute("PRAGMA journal_mode").fetchone()[0]
        out["busy_timeout"] = c.execute("PRAGMA busy_timeout").fetchone()[0]
print(json.dumps(out, default=str))
"""


def probe(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_URL"))}
    base.update({"DJANGO_SETTINGS_MODULE": "egov.settings", "EGOV_VAR_DIR": str(tmp_path)})
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=base, capture_output=True, text=True, cwd=tmp_path
    )


def test_production_requires_a_secret_key_and_hosts(tmp_path):
    result = probe(tmp_path, EGOV_ENV="production")
    assert result.returncode != 0
    assert "EGOV_SECRET_KEY is required" in result.stderr
    result = probe(tmp_path, EGOV_ENV="production", EGOV_SECRET_KEY="k" * 50)
    assert "EGOV_ALLOWED_HOSTS is required" in result.stderr


def test_production_defaults_are_safe(tmp_path):
    result = probe(
        tmp_path, EGOV_ENV="production", EGOV_SECRET_KEY="k" * 50, EGOV_ALLOWED_HOSTS="a.gov.vn"
    )
    out = json.loads(result.stdout)
    assert out["debug"] is False and out["secure"] is True and out["hsts"] >= 31536000


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    result = probe(tmp_path, EGOV_ENV="dev", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    out = json.loads(result.stdout)
    assert out["journal_mode"] == "wal"
    assert out["busy_timeout"] == 20000
    assert out["options"]["transaction_mode"] == "IMMEDIATE"


def test_postgres_uses_the_psycopg_pool(tmp_path):
    code = PROBE.replace("from django.db import connection", "connection = None").replace(
        'if connection.vendor == "sqlite":', "if False:"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="egov.settings",
        EGOV_ENV="dev",
        DATABASE_URL="postgres://u@127.0.0.1:5432/egov",
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert json.loads(result.stdout)["options"]["pool"]["max_size"] == 10


CACHE_PROBE = """
import django
from django.conf import settings
django.setup()
print(settings.CACHES["default"]["BACKEND"], settings.CACHES["default"].get("LOCATION"))
"""


def test_cache_is_db_locmem_or_a_redis_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="egov.settings", EGOV_ENV="dev", EGOV_VAR_DIR=str(tmp_path))

    def backend(value: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", CACHE_PROBE],
            env={**env, "EGOV_CACHE": value},
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )

    assert "db.DatabaseCache egov_cache" in backend("db").stdout
    assert "locmem.LocMemCache" in backend("locmem").stdout
    url = "redis://127.0.0.1:6379/2"
    assert f"redis.RedisCache {url}" in backend(url).stdout
    refused = backend("memcached")
    assert refused.returncode != 0 and "EGOV_CACHE must be" in refused.stderr


@pytest.mark.django_db
def test_the_database_cache_table_exists_whatever_cache_was_configured_at_migrate(settings):
    """The test database is migrated with the local-memory cache; switching a database to
    EGOV_CACHE=db later must not need `createcachetable`."""
    from django.db import connection

    assert not settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    assert "egov_cache" in connection.introspection.table_names()


def test_an_smtp_server_that_never_answers_does_not_hold_the_worker(tmp_path):
    # Django's default is no timeout: the outbox's attempt, and its worker, would wait for good.
    result = probe(tmp_path, EGOV_ENV="test", EGOV_EMAIL_URL="smtp://127.0.0.1:2525")
    assert json.loads(result.stdout)["email_timeout"] == 30
    result = probe(
        tmp_path, EGOV_ENV="test", EGOV_EMAIL_URL="smtp://127.0.0.1:2525", EGOV_EMAIL_TIMEOUT="5"
    )
    assert json.loads(result.stdout)["email_timeout"] == 5


SRC = Path(__file__).resolve().parents[1] / "src" / "egov"
READS = re.compile(r"""settings\.(EGOV_\w+)|getattr\(\s*settings,\s*["'](EGOV_\w+)["']""")
# Environment reads outside settings.py that are not configuration: the DJANGO_SETTINGS_MODULE
# default of the entry points, the PATH handed on to the OpenID provider's process, and the
# password `egov create-official` may take instead of asking for it.
NOT_SETTINGS = {
    # DJANGO_SETTINGS_MODULE, and the fallback that lets `egov COMMAND --help` work unconfigured
    "cli.py": 7,
    "wsgi.py": 1,
    "accounts/oidc/bundled.py": 1,
    "accounts/management/commands/create_official.py": 1,
    # the environment of the processes it starts
    "site/management/commands/serve.py": 1,
    "payments/gateways/sandbox.py": 2,  # the sandboxes' PATH
    # a developer's tool, not the platform's configuration: which Chromium, and the environment
    # of the throw-away server it photographs
    "site/management/commands/screenshots.py": 2,
}


def test_every_egov_setting_the_code_reads_is_defined():
    from django.conf import settings

    read = set()
    for path in SRC.rglob("*.py"):
        for match in READS.finditer(path.read_text(encoding="utf-8")):
            read.add(match.group(1) or match.group(2))
    assert len(read) > 40  # the pattern still finds them
    missing = sorted(name for name in read if not hasattr(settings, name))
    assert not missing, f"read but never defined in egov/settings.py: {missing}"


def test_the_environment_is_read_in_settings_and_documented():
    text = (SRC / "settings.py").read_text(encoding="utf-8")
    variables = set(re.findall(r"""env(?:iron\.get|_bool|_list)\(\s*["'](\w+)["']""", text))
    assert {"EGOV_PUBLIC_URL", "EGOV_DOSSIER_MAX_FILE_BYTES", "EGOV_PDF_FONT_DIR"} <= variables
    documented = (SRC.parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    undocumented = sorted(name for name in variables if f"`{name}`" not in documented)
    assert not undocumented, f"not in docs/configuration.md: {undocumented}"
    elsewhere = {}
    for path in SRC.rglob("*.py"):
        name = path.relative_to(SRC).as_posix()
        count = len(re.findall(r"os\.environ|getenv", path.read_text(encoding="utf-8")))
        if count and name != "settings.py":
            elsewhere[name] = count
    assert elsewhere == NOT_SETTINGS
