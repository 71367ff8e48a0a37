"""The bundled OpenID provider (oidc-provider/, Node) started for the tests, and a tiny browser.

The provider runs as a real process on a free loopback port; tests drive its authorization
endpoint over HTTP and submit its login and consent forms. Nothing here makes or signs a token.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "oidc-provider"
CALLBACK = "http://testserver/accounts/oidc/callback"
OTHER_CALLBACK = "http://127.0.0.1:9/other/callback"
EGOV_CLIENT = ("egov-test", "egov-test-secret-0123456789abcdef")
OTHER_CLIENT = ("other-app", "other-app-secret-0123456789abcdef")
CITIZEN_1 = ("001090000001", "Demo-Citizen-1")  # level 1 account
CITIZEN_2 = ("079085000002", "Demo-Citizen-2", "246810")  # level 2 account, with its OTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Capture(BaseHTTPRequestHandler):
    """Receives the provider's back-channel logout POSTs."""

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        self.server.received.append(parse_qs(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen
    logout_tokens: list = field(default_factory=list)
    output: list = field(default_factory=list)

    def wait_logout_token(self, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.logout_tokens:
                return self.logout_tokens.pop(0)["logout_token"][0]
            time.sleep(0.05)
        raise AssertionError(
            "the provider sent no back-channel logout token:\n" + "".join(self.output[-20:])
        )


def launch_until_ready(argv, env, cwd, seconds: float = 30):
    """Start the provider and wait for its READY line: (process, lines), or (None, lines).

    Node itself has been seen to hang at start (its main thread waiting on a lock forever,
    nothing printed; a CI run hung on it): wait with a deadline, and try once more."""
    lines: list[str] = []
    for _attempt in range(2):
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        line = ""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([process.stdout], [], [], left)[0]:
                break
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("READY"):
                return process, lines
        process.kill()
        process.wait()
    return None, lines


def start_provider(base: str = "http://testserver"):
    """Start the provider; ``base`` is where egov answers (its callback and logout pages)."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "The OpenID provider needs Node and its packages: "
            "(cd oidc-provider && npm ci) — scripts/test does it"
        )
    capture = ThreadingHTTPServer(("127.0.0.1", free_port()), _Capture)
    capture.received = []
    threading.Thread(target=capture.serve_forever, daemon=True).start()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    clients = [
        {
            "client_id": EGOV_CLIENT[0],
            "client_secret": EGOV_CLIENT[1],
            "redirect_uris": [f"{base}/accounts/oidc/callback"],
            "post_logout_redirect_uris": [f"{base}/accounts/oidc/logged-out"],
            "backchannel_logout_uri": f"http://127.0.0.1:{capture.server_port}/bcl",
            "backchannel_logout_session_required": True,
        },
        {
            "client_id": OTHER_CLIENT[0],
            "client_secret": OTHER_CLIENT[1],
            "redirect_uris": [OTHER_CALLBACK],
        },
    ]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENTS": json.dumps(clients),
        "OIDC_ID_TOKEN_TTL": "600",
    }
    process, lines = launch_until_ready([node, "server.js"], env, PROVIDER_DIR)
    if process is None:
        pytest.fail("The OpenID provider did not start:\n" + "".join(lines))
    provider = Provider(issuer=issuer, process=process, logout_tokens=capture.received)
    # Keep reading its output (shown when a test fails) so that it never blocks on a full pipe.
    threading.Thread(
        target=lambda: [provider.output.append(line) for line in process.stdout], daemon=True
    ).start()
    return provider, capture


class Browser:
    """A person's browser at the provider: cookies, redirects followed by hand, forms submitted."""

    def __init__(self):
        self.http = httpx.Client(follow_redirects=False, timeout=10)
        self.last_page = ""

    def close(self):
        self.http.close()

    def _follow(self, response, stop_prefix: str) -> str | None:
        """Follow redirects until one leaves for stop_prefix (returned) or a page is shown."""
        while response.status_code in (302, 303):
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(stop_prefix):
                return location
            response = self.http.get(location)
        self.last_page = response.text
        self.last_url = str(response.url)
        return None

    def _submit(self, action: str, data: dict):
        return self.http.post(urljoin(self.last_url, action), data=data)

    def authorize(
        self,
        auth_url: str,
        login: tuple | None,
        *,
        otp: str | None = None,
        consent: bool = True,
        abort: bool = False,
        stop_prefix: str = CALLBACK,
    ) -> str:
        """Go through the provider's pages; return the URL it finally sends the browser to."""
        target = self._follow(self.http.get(auth_url), stop_prefix)
        for _step in range(5):
            if target:
                return target
            page = self.last_page
            if abort:
                action = re.search(r'action="([^"]+/abort)"', page).group(1)
                target = self._follow(self._submit(action, {}), stop_prefix)
            elif 'name="password"' in page:
                action = re.search(r'action="([^"]+/login)"', page).group(1)
                data = {"login": login[0], "password": login[1]}
                if 'name="otp"' in page:
                    data["otp"] = otp or ""
                response = self._submit(action, data)
                if response.status_code == 200:  # the form again, with an error
                    self.last_page = response.text
                    raise LoginRefused(response.text)
                target = self._follow(response, stop_prefix)
            elif "/confirm" in page and consent:
                action = re.search(r'action="([^"]+/confirm)"', page).group(1)
                target = self._follow(self._submit(action, {}), stop_prefix)
            else:
                raise AssertionError("unexpected provider page:\n" + page[:2000])
        raise AssertionError("the provider never redirected back")

    def logout_at_provider(self, url: str) -> str:
        """Open an end-session URL and confirm the provider's logout form."""
        response = self.http.get(url)
        assert response.status_code == 200, response.text[:500]
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', response.text, re.S)
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
        fields["logout"] = "yes"
        response = self.http.post(urljoin(url, form.group(1)), data=fields)
        return response.headers.get("location", "")


class LoginRefused(AssertionError):
    pass


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def local(url: str) -> str:
    """http://testserver/path?query -> /path?query, for Django's test client."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")
