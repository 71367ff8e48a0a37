"""The signing service's interface and the development signer: the holder's own key only."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils

from egov.core.signing import signer as api
from egov.core.signing.people import Holder

from .signing_support import shared_pki, shared_pki_dir  # noqa: F401

AN = Holder("official-1", "Nguyễn Văn An", "000.00.00.G22", "Văn phòng Chính phủ")
BINH = Holder("official-2", "Trần Thị Bình", "000.00.00.G22", "Văn phòng Chính phủ")


@pytest.fixture
def dev(shared_pki):  # noqa: F811
    return api.DevelopmentSigner()


def request_for(holder, cred, data=b"signed attributes"):
    return api.DigestRequest(
        holder=holder,
        key_id=cred.key_id,
        certificate_sha256=cred.fingerprint,
        digest=hashlib.sha256(data).digest(),
        digest_algorithm="sha256",
        description="test",
    )


def test_a_digest_goes_out_a_pkcs1_signature_and_the_certificate_come_back(dev):
    cred = dev.credential(AN)
    request = request_for(AN, cred)
    answer = dev.sign_digest(request)
    assert answer.certificate == cred.certificate
    answer.certificate.public_key().verify(
        answer.signature, request.digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
    )
    api.check_answer(request, answer)  # what the PDF signer checks of any service


def test_signing_with_another_officials_key_is_refused(dev):
    theirs = dev.credential(BINH)
    dev.credential(AN)
    # An asks to sign with Bình's key and certificate.
    with pytest.raises(api.SigningRefused, match="không phải của"):
        dev.sign_digest(request_for(AN, theirs))
    # An's key id with Bình's certificate.
    mine = dev.credential(AN)
    mixed = api.DigestRequest(
        holder=AN,
        key_id=mine.key_id,
        certificate_sha256=theirs.fingerprint,
        digest=hashlib.sha256(b"x").digest(),
        digest_algorithm="sha256",
    )
    with pytest.raises(api.SigningRefused):
        dev.sign_digest(mixed)


def test_an_answer_signed_by_another_key_is_refused(dev):
    """A service that answers with someone else's signature or certificate is not believed."""
    mine, theirs = dev.credential(AN), dev.credential(BINH)
    request = request_for(AN, mine)
    other = dev.sign_digest(request_for(BINH, theirs))
    with pytest.raises(api.SigningRefused):
        api.check_answer(request, other)  # Bình's certificate
    forged = api.DigestSignature(other.signature, mine.certificate)
    with pytest.raises(api.SigningRefused):
        api.check_answer(request, forged)  # Bình's signature under An's certificate


def test_a_digest_of_the_wrong_size_is_refused(dev):
    cred = dev.credential(AN)
    bad = api.DigestRequest(AN, cred.key_id, cred.fingerprint, b"short", "sha256")
    with pytest.raises(api.SigningError):
        dev.sign_digest(bad)


class Recording(api.SigningService):
    calls: list = []

    def credential(self, holder):
        return api.DevelopmentSigner().credential(holder)

    def sign_digest(self, request):
        Recording.calls.append(request.holder.id)
        return api.DevelopmentSigner().sign_digest(request)


def test_the_setting_selects_the_implementation(dev, settings):
    assert isinstance(api.signing_service(), api.DevelopmentSigner)
    settings.EGOV_SIGNING_SERVICE = f"{__name__}.Recording"
    service = api.signing_service()
    assert isinstance(service, Recording)
    cred = service.credential(AN)
    service.sign_digest(request_for(AN, cred))
    assert Recording.calls[-1] == "official-1"
    settings.EGOV_SIGNING_SERVICE = "builtins.dict"
    with pytest.raises(TypeError):
        api.signing_service()
