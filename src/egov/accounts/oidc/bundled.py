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
import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from egov.core.registry import Launch, NotStarted

# The provider listens on loopback only (server.js refuses another issuer host).
LOOPBACK = "127.0.0.1"


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
    return command(host, port, issuer_to_listen_on(settings.EGOV_OIDC_ISSUER))


def serve_banner(host: str, port: int, launch: Launch) -> list[str]:
    lines = []
    issuer = launch[1]["OIDC_ISSUER"]
    if issuer != settings.EGOV_OIDC_ISSUER:
        lines.append(
            f"Port {urlsplit(settings.EGOV_OIDC_ISSUER).port} was in use: the development e-ID "
            f"provider listens on {issuer} instead."
        )
    return [*lines, "Demo logins:", *demo_logins(host, port)]


def serve_exports(launch: Launch) -> dict[str, str]:
    """The web server's settings follow the provider when it moved to another port."""
    issuer = launch[1]["OIDC_ISSUER"]
    if issuer == settings.EGOV_OIDC_ISSUER:
        return {}
    return {"EGOV_OIDC_PROVIDER": "bundled", "EGOV_OIDC_ISSUER": issuer}


def serve_listens(launch: Launch) -> tuple[str, int]:
    issuer = urlsplit(launch[1]["OIDC_ISSUER"])
    return issuer.hostname, issuer.port


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As Node's listen() does: a connection of an earlier run in TIME_WAIT does not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def issuer_to_listen_on(issuer: str) -> str:
    """The issuer, or the same on a free port if another program holds its port (another
    `egov serve`, an earlier provider left running): the provider moves rather than fail."""
    parts = urlsplit(issuer)
    port = parts.port or 80
    if not _port_in_use(LOOPBACK, port):
        return issuer
    return urlunsplit(parts._replace(netloc=f"{parts.hostname}:{_free_port(LOOPBACK)}"))


def command(host: str, port: int, issuer: str = "") -> tuple[list[str], dict[str, str], Path]:
    """argv, environment and working directory of the provider process (listening on the port of
    ``issuer``, by default the configured one)."""
    directory = Path(settings.EGOV_OIDC_PROVIDER_DIR)
    node = shutil.which("node")
    if node is None:
        raise NotAvailable("Node.js is not installed: citizen login is unavailable")
    if not (directory / "node_modules" / "oidc-provider").is_dir():
        raise NotAvailable(f"run `npm ci` in {directory}: citizen login is unavailable")
    cookie_key = hmac.new(settings.SECRET_KEY.encode(), b"oidc-cookies", hashlib.sha256)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "OIDC_ISSUER": issuer or settings.EGOV_OIDC_ISSUER,
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
