"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s) and their secrets at rest.

Short enough to read and test against the RFC's vectors. Secrets are stored encrypted with
Fernet under a key derived from ``EGOV_FIELD_KEY`` (default: the Django secret key) and are never
logged; the only place a secret is shown is the enrolment page, once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from egov.core import secretbox

DIGITS = 6
PERIOD = 30
# Accept the code of the previous and the next step too (clock drift of phones).
WINDOW = 1


def new_secret() -> str:
    """A random 160-bit secret, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key_bytes(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // PERIOD)


def code(secret: str, at: float | None = None) -> str:
    return hotp(_key_bytes(secret), step(at))


def match(secret: str, candidate: str, *, after_step: int = 0, at: float | None = None) -> int:
    """The time step ``candidate`` is valid for, or 0. Steps up to ``after_step`` are refused."""
    candidate = (candidate or "").strip().replace(" ", "")
    if len(candidate) != DIGITS or not candidate.isdigit():
        return 0
    key = _key_bytes(secret)
    now = step(at)
    for s in range(now - WINDOW, now + WINDOW + 1):
        if s > after_step and hmac.compare_digest(hotp(key, s), candidate):
            return s
    return 0


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": PERIOD})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no JavaScript needed to show it)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


PURPOSE = "egov.accounts.totp"


def encrypt(secret: str) -> str:
    return secretbox.encrypt(PURPOSE, secret)


def decrypt(token: str) -> str:
    try:
        return secretbox.decrypt(PURPOSE, token)
    except secretbox.InvalidToken as exc:  # the key changed: the official must enrol again
        raise ValueError("TOTP secret cannot be decrypted with the current key") from exc
