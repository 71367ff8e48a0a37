"""Independent checks of a signed PDF, shared by the tests of personal signatures.

- pyHanko's validator, with the CA loaded by pyHanko itself from ca.pem as the only trust root
  (not through egov.core.signing.verify_pdf);
- poppler's ``pdfsig`` (Debian package poppler-utils, installed by scripts/test): the signer's
  name as another PDF library reads it. A test skips that part, saying why, only when the
  binary is missing.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings


def ca_pem() -> Path:
    return Path(settings.EGOV_PKI_DIR) / "ca.pem"


def pyhanko_statuses(pdf: bytes) -> list:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = load_cert_from_pemder(str(ca_pem()))
    reader = PdfFileReader(io.BytesIO(pdf))
    return [
        validate_pdf_signature(
            sig,
            signer_validation_context=ValidationContext(trust_roots=[root], allow_fetching=False),
        )
        for sig in reader.embedded_signatures
    ]


def assert_valid_by_pyhanko(pdf: bytes, *, signer_cn: str) -> None:
    """Every signature valid (intact, trusted by the CA, no disallowed change); the last one
    made by ``signer_cn``."""
    statuses = pyhanko_statuses(pdf)
    assert statuses, "no signature"
    for status in statuses:
        assert status.bottom_line, status.summary()
        assert status.intact and status.valid and status.trusted, status.summary()
    assert statuses[-1].signing_cert.subject.native["common_name"] == signer_cn


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    binary = shutil.which("pdfsig")
    if binary is None:
        pytest.skip("poppler's pdfsig is not installed (Debian package poppler-utils)")
    path = tmp_path / "signed-for-pdfsig.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([binary, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_pdfsig_shows(pdf: bytes, tmp_path: Path, name: str) -> str:
    """pdfsig reads the signatures, the last by ``name``, and finds it cryptographically valid
    (pdfsig does not know our CA: it reports the issuer as unknown, which is expected)."""
    out = pdfsig(pdf, tmp_path)
    assert f"Signer Certificate Common Name: {name}" in out, out
    last = out.rsplit("Signature #", 1)[-1]
    assert f"Common Name: {name}" in last and "Signature is Valid." in last, out
    return out


@pytest.fixture(scope="session")
def shared_pki_dir(tmp_path_factory) -> Path:
    """One development CA (and personal keys) for a session: key generation is the slow part."""
    return tmp_path_factory.mktemp("personal") / "pki"


@pytest.fixture
def shared_pki(settings, shared_pki_dir) -> Path:
    settings.EGOV_PKI_DIR = shared_pki_dir
    settings.EGOV_PKI_AUTO_CREATE = True
    return shared_pki_dir
