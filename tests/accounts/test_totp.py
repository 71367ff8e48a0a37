import hashlib

import pytest

from egov.accounts import totp
from egov.accounts.models import TotpDevice
from egov.accounts.services import login as login_services

from .officials_support import make_official, tree  # noqa: F401

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_rfc6238_sha1_vectors(at, expected):
    assert totp.hotp(RFC_KEY, at // 30, digits=8, digest=hashlib.sha1) == expected


def test_match_accepts_one_step_of_drift_and_refuses_replays_and_junk():
    secret = totp.new_secret()
    now = 1_800_000_000
    current = totp.code(secret, at=now)
    step = totp.match(secret, current, at=now)
    assert step == now // 30
    assert totp.match(secret, totp.code(secret, at=now - 30), at=now) == step - 1
    assert totp.match(secret, totp.code(secret, at=now - 90), at=now) == 0
    assert totp.match(secret, current, at=now, after_step=step) == 0  # used once already
    assert totp.match(secret, "12345", at=now) == 0
    assert totp.match(secret, "abcdef", at=now) == 0


def test_provisioning_uri_and_qr_code():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "an.nguyen", "UBND Tỉnh P")
    assert uri.startswith(
        "otpauth://totp/UBND%20T%E1%BB%89nh%20P%3Aan.nguyen?secret=JBSWY3DPEHPK3PXP"
    )
    assert "<svg" in totp.qr_svg(uri)


@pytest.mark.django_db
def test_secret_is_encrypted_at_rest(tree):  # noqa: F811
    official = make_official("an", tree.a)
    secret = login_services.start_enrolment(official.user)
    stored = TotpDevice.objects.get(user=official.user).encrypted_secret
    assert secret not in stored
    assert totp.decrypt(stored) == secret
    assert login_services.enrolment_secret(official.user) == secret


@pytest.mark.django_db
def test_secret_does_not_decrypt_under_another_key(tree, settings):  # noqa: F811
    official = make_official("an", tree.a)
    login_services.start_enrolment(official.user)
    settings.EGOV_FIELD_KEY = "another key"
    with pytest.raises(ValueError):
        login_services.enrolment_secret(official.user)
