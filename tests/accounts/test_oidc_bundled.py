"""`egov serve` starts the bundled provider on loopback and registers egov with it."""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest

from egov.accounts.oidc import bundled

from .oidc_support import free_port, launch_until_ready


def test_provider_command_registers_egov_as_a_client(settings, tmp_path):
    settings.EGOV_OIDC_PROVIDER = "bundled"
    settings.EGOV_OIDC_ISSUER = "http://127.0.0.1:8010"
    argv, env, cwd = bundled.command("0.0.0.0", 8000)  # noqa: S104
    assert argv[-1].endswith("oidc-provider/server.js")
    (client,) = json.loads(env["OIDC_CLIENTS"])
    assert client["client_id"] == settings.EGOV_OIDC_CLIENT_ID
    assert client["client_secret"] == settings.EGOV_OIDC_CLIENT_SECRET
    assert client["redirect_uris"] == ["http://127.0.0.1:8000/accounts/oidc/callback"]
    assert client["backchannel_logout_uri"].endswith("/accounts/oidc/backchannel-logout")
    assert env["OIDC_JWKS_FILE"].startswith(str(settings.VAR_DIR))


def test_demo_logins_tell_how_to_log_in_as_a_citizen():
    lines = "\n".join(bundled.demo_logins("127.0.0.1", 8000))
    assert "/accounts/citizen/" in lines
    assert "level 1: ID number 001090000001" in lines
    assert "level 2: ID number 079085000002" in lines and "246810" in lines


@pytest.mark.slow  # starts the provider on Node
def test_bundled_provider_starts_on_loopback_and_keeps_its_keys(settings, tmp_path):
    port = free_port()
    settings.EGOV_OIDC_ISSUER = f"http://127.0.0.1:{port}"
    argv, env, cwd = bundled.command("127.0.0.1", 8000)

    def run_and_get_jwks():
        process, lines = launch_until_ready(argv, env, cwd)
        assert process is not None, "the provider did not start:\n" + "".join(lines)
        try:
            return httpx.get(f"http://127.0.0.1:{port}/jwks", timeout=5).json()
        finally:
            process.terminate()
            process.wait(timeout=10)

    first = run_and_get_jwks()
    time.sleep(0.2)
    assert run_and_get_jwks() == first  # the keys survive a restart (var/oidc-provider/)
    assert "d" not in first["keys"][0]  # only public parts are published


def test_provider_refuses_a_non_loopback_issuer(settings):
    argv, env, cwd = bundled.command("127.0.0.1", 8000)
    env["OIDC_ISSUER"] = "http://203.0.113.5:8010"
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "loopback" in result.stderr


@pytest.mark.parametrize("mode", ["off"])
def test_serve_starts_no_provider_when_off(settings, mode):
    settings.EGOV_OIDC_PROVIDER = mode
    assert bundled.serve_command("127.0.0.1", 8000) is None
