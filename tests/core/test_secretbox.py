"""Secrets the platform reads back: the key derivation is pinned (changing it would make every
stored authenticator seed and webhook secret unreadable), and purposes do not mix."""

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet

from egov.core import secretbox


def test_values_stored_under_the_derivation_so_far_still_decrypt(settings):
    settings.EGOV_FIELD_KEY = "field-key-of-this-install"
    digest = hashlib.sha256(b"egov.accounts.totp:field-key-of-this-install").digest()
    stored = Fernet(base64.urlsafe_b64encode(digest)).encrypt(b"JBSWY3DPEHPK3PXP").decode()
    assert secretbox.decrypt("egov.accounts.totp", stored) == "JBSWY3DPEHPK3PXP"


def test_a_value_of_one_purpose_or_key_does_not_decrypt_as_another(settings):
    token = secretbox.encrypt("egov.exchange.webhook", "whsec_x")
    assert secretbox.decrypt("egov.exchange.webhook", token) == "whsec_x"
    with pytest.raises(secretbox.InvalidToken):
        secretbox.decrypt("egov.accounts.totp", token)
    settings.EGOV_FIELD_KEY = "another key"
    with pytest.raises(secretbox.InvalidToken):
        secretbox.decrypt("egov.exchange.webhook", token)
