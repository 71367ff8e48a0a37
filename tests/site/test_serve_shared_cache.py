"""`egov serve` runs several web processes: the rate limits and the replay check of client
assertions must hold across them (issue 12: with locmem, 3 workers let 90 lookups through
instead of 30 and accepted one assertion 3 times)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

# What one web process does for a client assertion's jti and for a lookup (the same cache keys
# as egov.accounts.services.clients and egov.accounts.ratelimit), with serve's settings.
PROBE = """
import django
django.setup()
from django.core.management import call_command
from django.core.cache import cache
from egov.accounts import ratelimit
call_command("createcachetable", verbosity=0)
first_use = cache.add("egov:jti:1:the-same-jti", 1, timeout=360)
# A day's window: the two processes must fall in the same fixed window (a minute's failed when
# they fell either side of its turn).
print(first_use, ratelimit.hit("lookup:1.2.3.4", "1/day")[0])
"""


def test_the_replay_check_and_the_limit_hold_across_serves_processes(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="egov.settings",
        EGOV_ENV="dev",  # what ./scripts/serve runs `egov serve` with; EGOV_CACHE left unset
        EGOV_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    def web_process() -> str:
        result = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert web_process() == "True True"
    # The second process sees the first one's assertion and count: refused, limited.
    assert web_process() == "False False"


def test_serve_refuses_a_per_process_cache_with_several_workers(settings):
    settings.EGOV_CACHE = "locmem"
    with pytest.raises(CommandError, match="EGOV_CACHE=locmem"):
        call_command("serve", workers=3, no_migrate=True)
