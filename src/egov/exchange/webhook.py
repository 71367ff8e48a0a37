"""Webhook authentication: the MAC the hub puts on each push, and how a receiver checks it.

Standard library only, so that a receiver can copy :func:`verify` as it is (docs/exchange.md,
"Webhook authentication"). As in Standard Webhooks (standardwebhooks.com), the hub signs
``<message id>.<timestamp>.<body>`` with HMAC-SHA256 under the mailbox's secret (the whole
``whsec_...`` string, UTF-8); the message id is the ``Idempotency-Key``. It sends::

    Idempotency-Key: package:42             (the same on every attempt of one push)
    X-Egov-Timestamp: 1767225600            (Unix seconds, when this attempt was made)
    X-Egov-Signature: v1=<64 hex digits>    (two, space-separated, while a rotation overlaps)

A receiver recomputes the MAC over the key and the raw body as received, compares in constant
time and refuses a timestamp more than ``TOLERANCE`` seconds away from its clock (a replay of a
captured push). The key is under the MAC, so a replay within the window carries a key the
receiver has seen: answer 2xx again and do nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Egov-Timestamp"
SIGNATURE_HEADER = "X-Egov-Signature"
ID_HEADER = "Idempotency-Key"
TOLERANCE = 300  # seconds either side of the receiver's clock


def _mac(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One value of ``X-Egov-Signature``: ``v1=`` and the hex HMAC-SHA256 of
    ``message_id.timestamp.body``."""
    return "v1=" + _mac(secret, message_id, str(timestamp), body)


def verify(
    secret: str,
    body: bytes,
    message_id: str | None,
    timestamp: str | None,
    signature_header: str | None,
    *,
    tolerance: int = TOLERANCE,
    now: float | None = None,
) -> bool:
    """Did the hub send this body under this message id (with ``secret``), recently?
    ``message_id``, ``timestamp`` and ``signature_header`` are the raw values of
    ``Idempotency-Key``, ``X-Egov-Timestamp`` and ``X-Egov-Signature`` (None when absent)."""
    if not message_id or not timestamp or not signature_header or not timestamp.isdigit():
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = _mac(secret, message_id, timestamp, body)
    for part in signature_header.replace(",", " ").split():  # two during a rotation
        scheme, _, value = part.partition("=")
        if scheme == "v1" and hmac.compare_digest(value, expected):
            return True
    return False
