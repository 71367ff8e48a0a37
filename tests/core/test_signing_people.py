"""Personal certificates: issued by the development CA on first need, to the holder's name and
organisation, reissued when these change, once only under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.x509.oid import NameOID

from egov.core.signing import ensure_ca, pki
from egov.core.signing.people import Holder, certificate_for, common_name, holder_id_of, paths

AN = Holder("official-7", "Nguyễn Văn An", "000.00.00.G22", "Văn phòng Chính phủ", "Chuyên viên")


@pytest.fixture
def auto(settings, tmp_path):
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_PKI_AUTO_CREATE = True
    return settings.EGOV_PKI_DIR


def test_issued_on_first_need_by_the_ca_to_the_holder(auto):
    key_path, cert_path = paths(AN.id)
    assert not cert_path.exists()
    cred = certificate_for(AN)
    cert = cred.certificate
    assert cert_path.exists() and key_path.exists()
    assert key_path.stat().st_mode & 0o777 == 0o600
    cert.verify_directly_issued_by(ensure_ca())
    assert common_name(cert) == "Nguyễn Văn An" and holder_id_of(cert) == "official-7"
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert org == "Văn phòng Chính phủ" and pki.org_code_of(cert) == "000.00.00.G22"
    # The second need finds the same certificate.
    assert certificate_for(AN).certificate == cert


@pytest.mark.slow  # two keys
def test_a_new_name_gets_a_new_certificate(auto):
    first = certificate_for(AN).certificate
    renamed = Holder(AN.id, "Nguyễn Thị An", AN.organisation_code, AN.organisation_name)
    second = certificate_for(renamed).certificate
    assert second != first and common_name(second) == "Nguyễn Thị An"


@pytest.mark.slow  # four keys made at once
def test_concurrent_first_needs_issue_one_certificate(auto):
    with ThreadPoolExecutor(max_workers=4) as pool:
        certs = list(pool.map(lambda _: certificate_for(AN).certificate, range(4)))
    assert len({c.serial_number for c in certs}) == 1


def test_a_holder_id_must_be_a_safe_file_name():
    with pytest.raises(pki.PkiError):
        Holder("../ca", "X", "000.00.00.G22", "Y")


def test_without_auto_creation_a_missing_certificate_is_named(settings, tmp_path):
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_PKI_AUTO_CREATE = True
    ensure_ca()
    settings.EGOV_PKI_AUTO_CREATE = False
    with pytest.raises(pki.PkiFileMissing, match="official-7"):
        certificate_for(AN)
