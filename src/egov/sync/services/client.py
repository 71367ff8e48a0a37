"""Provincial: the HTTP client of the national side (docs/sync.md).

:func:`call` posts one service call with the session token, logging in first
(``POST <national>/api/v1/sync/session`` with the account's username and password and the unit
code in the ``dstcode`` header) and again when the national side says the session is no longer
valid (``error_code`` -2), once per call. The token is kept in this process until it expires
(a minute early) or is refused.
"""

from __future__ import annotations

import threading
import time

import httpx
from django.conf import settings

from egov.sync import wire

# Tests route the calls in-process (an httpx transport); None: the network.
TRANSPORT: httpx.BaseTransport | None = None
_lock = threading.Lock()
_session: dict = {"token": "", "until": 0.0}


class NationalError(Exception):
    """The national side answered with an error code (``code``, ``message``, ``body``)."""

    def __init__(self, code: str, message: str, body: dict | None = None, status: int = 0):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.body, self.status = code, message, body or {}, status


_clients: dict = {}


def shared() -> httpx.Client:
    """This process's client (made once: a new one per call costs an SSL context)."""
    with _lock:
        made = _clients.get(id(TRANSPORT))
        if made is None:
            _clients.clear()
            made = _clients[id(TRANSPORT)] = httpx.Client(transport=TRANSPORT)
        return made


def forget_session() -> None:
    with _lock:
        _session.update(token="", until=0.0)


def _headers() -> dict:
    return {"dstcode": settings.EGOV_SYNC_UNIT_CODE, "Accept": "application/json"}


def _post(http: httpx.Client, path: str, body: dict) -> dict:
    response = http.post(
        f"{settings.EGOV_SYNC_NATIONAL_URL}{path}",
        json=body,
        headers=_headers(),
        timeout=settings.EGOV_SYNC_TIMEOUT,
    )
    if response.status_code >= 500:
        response.raise_for_status()
    try:
        data = response.json()
    except ValueError:
        raise NationalError(
            "", f"HTTP {response.status_code}: not JSON", status=response.status_code
        ) from None
    if not isinstance(data, dict) or "error_code" not in data:
        raise NationalError(
            "", f"HTTP {response.status_code}: no error_code", status=response.status_code
        )
    data.setdefault("message", "")
    if str(data["error_code"]) != wire.OK:
        raise NationalError(
            str(data["error_code"]), str(data["message"]), data, response.status_code
        )
    return data


def session(http: httpx.Client) -> str:
    """The cached session token, or a new one from the login call."""
    with _lock:
        if _session["token"] and time.monotonic() < _session["until"]:
            return _session["token"]
    data = _post(
        http,
        "/api/v1/sync/session",
        {"username": settings.EGOV_SYNC_USERNAME, "password": settings.EGOV_SYNC_PASSWORD},
    )
    lifetime = float(data.get("expires_in") or 300)
    with _lock:
        _session.update(token=data["session"], until=time.monotonic() + max(lifetime - 60, 1))
    return data["session"]


def call(service: str, *, http: httpx.Client | None = None, **fields) -> dict:
    """One service call (``service`` and ``fields`` as the body); the answer, or NationalError."""
    http = http or shared()
    for attempt in (1, 2):
        body = {
            "service": service,
            "session": session(http),
            "madonvi": settings.EGOV_SYNC_UNIT_CODE,
            **fields,
        }
        try:
            return _post(http, "/api/v1/sync/service", body)
        except NationalError as error:
            if error.code != wire.BAD_SESSION or attempt == 2:
                raise
            forget_session()
    raise AssertionError("unreachable")
