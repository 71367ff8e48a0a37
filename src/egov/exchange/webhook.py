"""Webhook authentication: the MAC the hub puts on each push, and how a receiver checks it.

Standard library only, so that a receiver can copy :func:`verify` as it is (docs/exchange.md,
"Webhook authentication"). The hub signs ``<timestamp>.<body>`` with HMAC-SHA256 under the
mailbox's secret (the whole ``whsec_...`` string, UTF-8) and sends::

    X-Egov-Timestamp: 1767225600            (Unix seconds, when this attempt was made)
    X-Egov-Signature: v1=<64 hex digits>
    Idempotency-Key: package:42             (the same on every attempt of one push)

A receiver recomputes the MAC over the raw body as received, compares in constant time and
refuses a timestamp more than ``TOLERANCE`` seconds away from its clock (a replay of a captured
push). Within the window a replay carries an Idempotency-Key the receiver has seen: answer 2xx
again and do nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Egov-Timestamp"
SIGNATURE_HEADER = "X-Egov-Signature"
TOLERANCE = 300  # seconds either side of the receiver's clock


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of ``X-Egov-Signature``: ``v1=`` and the hex HMAC-SHA256 of ``timestamp.body``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature_header: str | None,
    *,
    tolerance: int = TOLERANCE,
    now: float | None = None,
) -> bool:
    """Did the hub send this body (under ``secret``), recently? ``timestamp`` and
    ``signature_header`` are the raw header values (None when absent)."""
    if not timestamp or not signature_header or not timestamp.isdigit():
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    for part in signature_header.replace(",", " ").split():  # room for several v1= values
        scheme, _, value = part.partition("=")
        if scheme == "v1" and hmac.compare_digest(value, expected.hexdigest()):
            return True
    return False
