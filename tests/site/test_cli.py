"""The `egov` command on a machine without settings: every command's help, one-sentence errors,
no third-party warnings (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# In a fresh process: every command's --help (egov's and Django's), as `egov NAME --help` runs it.
EVERY_HELP = """
import contextlib, io, json, sys
from egov import cli

def help_of(name):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            cli.main([name, "--help"])
        except SystemExit as exc:
            return exc.code, out.getvalue()
    return None, out.getvalue()

first = help_of("serve")  # the first one loads the settings
from django.core.management import get_commands
names = sorted({*(n.replace("-", "_") for n in cli.app_commands()), *get_commands()})
results = {name: help_of(name) for name in names}
results["serve"] = first
print(json.dumps({name: [code, text] for name, (code, text) in results.items()}))
"""


def bare_env() -> dict[str, str]:
    """This process's environment without egov's settings: as on a fresh laptop."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, "PYTHONWARNINGS": "default"}


def test_every_commands_help_works_without_egov_env(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", EVERY_HELP],
        env=bare_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    helps = json.loads(result.stdout.splitlines()[-1])
    assert {"serve", "load_demo", "pki", "worker", "migrate", "check", "shell"} <= set(helps)
    failed = {
        name: code
        for name, (code, text) in helps.items()
        if code != 0 or f"usage: egov {name}" not in text
    }
    assert not failed
    # It says why the defaults shown are development's, once, and leaves nothing behind.
    assert result.stderr.count("EGOV_SECRET_KEY is required") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_command_without_settings_stops_with_one_sentence(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "egov.cli", "check"],
        env=bare_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "egov: EGOV_SECRET_KEY is required when EGOV_ENV=production (EGOV_ENV is not set: "
        "production). On a laptop, EGOV_ENV=dev; see docs/configuration.md."
    ]


def test_egov_check_prints_no_warnings(tmp_path):
    # Python's default filters show each warning once; "default" makes sure none is hidden.
    env = {**bare_env(), "EGOV_ENV": "dev", "EGOV_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "egov.cli", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
