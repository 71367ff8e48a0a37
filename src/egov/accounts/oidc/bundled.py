"""The bundled development provider (oidc-provider/ at the repository root, run by Node).

``egov serve`` starts it on loopback when EGOV_OIDC_PROVIDER=bundled and registers egov with it as
a confidential client whose secret both sides derive from the secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from pathlib import Path

from django.conf import settings

from egov.core.registry import NotStarted


class NotAvailable(NotStarted):
    pass


def _base_url(host: str, port: int) -> str:
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - the address people's browsers use
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def client_metadata(host: str, port: int) -> dict:
    base = _base_url(host, port)
    return {
        "client_id": settings.EGOV_OIDC_CLIENT_ID,
        "client_secret": settings.EGOV_OIDC_CLIENT_SECRET,
        "redirect_uris": [f"{base}/accounts/oidc/callback"],
        "post_logout_redirect_uris": [f"{base}/accounts/oidc/logged-out"],
        "backchannel_logout_uri": f"{base}/accounts/oidc/backchannel-logout",
        "backchannel_logout_session_required": True,
    }


def serve_command(host: str, port: int) -> tuple[list[str], dict[str, str], Path] | None:
    """What ``egov serve`` starts (registered by the app): the provider, if configured."""
    if settings.EGOV_OIDC_PROVIDER != "bundled":
        return None
    return command(host, port)


def serve_banner(host: str, port: int) -> list[str]:
    return ["Demo logins:", *demo_logins(host, port)]


def command(host: str, port: int) -> tuple[list[str], dict[str, str], Path]:
    """argv, environment and working directory of the provider process."""
    directory = Path(settings.EGOV_OIDC_PROVIDER_DIR)
    node = shutil.which("node")
    if node is None:
        raise NotAvailable("Node.js is not installed: citizen login is unavailable")
    if not (directory / "node_modules" / "oidc-provider").is_dir():
        raise NotAvailable(f"run `npm ci` in {directory}: citizen login is unavailable")
    cookie_key = hmac.new(settings.SECRET_KEY.encode(), b"oidc-cookies", hashlib.sha256)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "OIDC_ISSUER": settings.EGOV_OIDC_ISSUER,
        "OIDC_CLIENTS": json.dumps([client_metadata(host, port)]),
        "OIDC_JWKS_FILE": str(Path(settings.VAR_DIR) / "oidc-provider" / "jwks.json"),
        "OIDC_COOKIE_KEYS": cookie_key.hexdigest(),
    }
    # The title makes the process easy to find; serve names argv[2:] when a child stops.
    return [node, "--title=egov-oidc-provider", str(directory / "server.js")], env, directory


def demo_logins(host: str, port: int) -> list[str]:
    """Lines telling people how to log in as a demo citizen."""
    path = Path(settings.EGOV_OIDC_PROVIDER_DIR) / "demo-citizens.json"
    try:
        citizens = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    lines = [f"  citizen        {_base_url(host, port)}/accounts/citizen/  (demo e-ID provider)"]
    for c in citizens:
        otp = f"  one-time code {c['otp']} (level 2)" if c.get("otp") else ""
        lines.append(
            f"    level {c['level']}: ID number {c['login']}  password {c['password']}{otp}"
        )
    return lines
