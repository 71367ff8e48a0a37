"""Secrets kept in the database that the platform must read back (authenticator seeds, webhook
secrets): Fernet under a key derived from ``EGOV_FIELD_KEY`` (default: the Django secret key) and
a purpose, so a value encrypted for one use never decrypts for another.

    token = secretbox.encrypt("egov.accounts.totp", secret)
    secret = secretbox.decrypt("egov.accounts.totp", token)   # InvalidToken: the key changed
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _fernet(purpose: str) -> Fernet:
    material = settings.EGOV_FIELD_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(f"{purpose}:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(purpose: str, value: str) -> str:
    return _fernet(purpose).encrypt(value.encode()).decode()


def decrypt(purpose: str, token: str) -> str:
    """The value in clear; :class:`InvalidToken` if the key (or the purpose) differs."""
    return _fernet(purpose).decrypt(token.encode()).decode()
