"""Signing: the PKI, PDF (pyHanko) and XML (signxml), checked by independent verifiers.

Independent verifiers: ``xmlsec1 --verify --trusted-pem ca.pem`` for XML (Debian package xmlsec1),
and for PDF the pyHanko command-line validator (PyPI package pyhanko-cli) when a ``pyhanko``
executable is found, else pyHanko's validation API with a trust root loaded by pyHanko itself.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.test import override_settings
from lxml import etree

from egov.core.services.organisations import OrganisationData, create_organisation
from egov.core.signing import (
    PkiFileMissing,
    certificate_for,
    ensure_ca,
    ensure_pki,
    pki,
    sign_pdf,
    sign_xml,
    verify_pdf,
    verify_xml,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MARKER = b"EGOV-TEST-0001"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def shared_pki_dir(tmp_path_factory) -> Path:
    """One development CA for the whole session: tests share it (and the org certs they make)."""
    directory = tmp_path_factory.mktemp("shared") / "pki"
    with override_settings(EGOV_PKI_DIR=directory, EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
    return directory


@pytest.fixture
def pki_dir(settings, shared_pki_dir) -> Path:
    settings.EGOV_PKI_DIR = shared_pki_dir
    settings.EGOV_PKI_AUTO_CREATE = True
    return shared_pki_dir


@pytest.fixture
def fresh_pki_dir(settings, tmp_path) -> Path:
    """An empty PKI directory of this test's own (auto-creation on)."""
    settings.EGOV_PKI_AUTO_CREATE = True
    settings.EGOV_PKI_DIR = tmp_path / "own-pki"
    return settings.EGOV_PKI_DIR


@pytest.fixture
def org(db):
    return create_organisation(
        OrganisationData(code="000.00.00.G22", name="Văn phòng Chính phủ", level="central")
    )


def make_pdf() -> bytes:
    """A one-page PDF with Vietnamese text, uncompressed so a test can find and alter bytes."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf, pageCompression=0)
    if DEJAVU.exists():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
        page.setFont("DejaVuSans", 13)
        page.drawString(72, 760, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        page.drawString(72, 740, "Độc lập - Tự do - Hạnh phúc")
        page.drawString(72, 700, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    else:
        page.setFont("Helvetica", 13)
        page.drawString(72, 760, "CONG HOA XA HOI CHU NGHIA VIET NAM")
    page.setFont("Helvetica", 10)
    page.drawString(72, 660, MARKER.decode())
    page.showPage()
    page.save()
    return buf.getvalue()


def make_xml() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
        "<edXMLHeader><MessageHeader>"
        "<From><OrganId>000.00.00.G22</OrganId><OrganName>Văn phòng Chính phủ</OrganName></From>"
        "<Subject>Về việc triển khai dịch vụ công trực tuyến</Subject>"
        "</MessageHeader></edXMLHeader>"
        "<edXMLBody><Content>Kính gửi các bộ, ngành.</Content></edXMLBody>"
        "</edXMLEnvelope>"
    ).encode()


# --------------------------------------------------------------------------- independent tools


def xmlsec1() -> str:
    path = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"
    if not os.path.exists(path):
        pytest.skip("xmlsec1 is not installed (Debian package xmlsec1): cannot cross-check XML")
    return path


def xmlsec1_verify(xml_bytes: bytes, ca: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    document = tmp_path / "document.xml"
    document.write_bytes(xml_bytes)
    return subprocess.run(
        [xmlsec1(), "--verify", "--trusted-pem", str(ca), str(document)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def pyhanko_cli() -> str | None:
    """The pyHanko command line (package pyhanko-cli), if installed."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    path = shutil.which("pyhanko", path=search)
    if path is None:
        return None
    probe = subprocess.run(
        [path, "sign", "validate", "--help"], capture_output=True, text=True, timeout=60
    )
    return path if probe.returncode == 0 else None


def pyhanko_independent_valid(pdf_bytes: bytes, ca: Path, tmp_path: Path) -> tuple[bool, str]:
    """pyHanko's own verdict, with ``ca`` as the only trust root and no revocation fetching."""
    cli = pyhanko_cli()
    if cli is not None:
        document = tmp_path / "document.pdf"
        document.write_bytes(pdf_bytes)
        done = subprocess.run(
            [
                cli,
                "sign",
                "validate",
                "--trust",
                str(ca),
                "--trust-replace",
                "--no-revocation-check",
                "--pretty-print",
                str(document),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.returncode == 0, f"pyhanko CLI: {done.stdout}{done.stderr}"

    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(ca))], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(pdf_bytes))
    statuses = [
        validate_pdf_signature(sig, signer_validation_context=context)
        for sig in reader.embedded_signatures
    ]
    summary = "; ".join(s.summary() for s in statuses)
    return bool(statuses) and all(s.bottom_line for s in statuses), f"pyHanko API: {summary}"


# --------------------------------------------------------------------------- PKI


def test_development_ca(pki_dir):
    ca = ensure_ca()
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "egov Development CA"
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    assert stat.S_IMODE((pki_dir / "ca.key.pem").stat().st_mode) == 0o600


def test_organisation_certificate(pki_dir, org):
    cred = certificate_for(org)
    cert = cred.certificate
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Văn phòng Chính phủ"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == org.name
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert pki.org_code_of(cert) == "000.00.00.G22"
    assert isinstance(cred.private_key, rsa.RSAPrivateKey) and cred.private_key.key_size == 2048
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=5 * 365) <= lifetime <= dt.timedelta(days=5 * 365 + 2)
    cert.verify_directly_issued_by(ensure_ca())
    assert cred.key_path == pki_dir / "orgs" / "000.00.00.G22.key.pem"
    assert stat.S_IMODE(cred.key_path.stat().st_mode) == 0o600
    # Issued once: the second call loads the same certificate.
    assert certificate_for(org).certificate == cert
    assert "PRIVATE" not in repr(cred)


def test_long_names_fit_the_subject(pki_dir):
    name = "Ủy ban nhân dân phường Long Biên, thành phố Hà Nội, Cộng hòa xã hội chủ nghĩa Việt Nam"
    org = types.SimpleNamespace(code="001.01.01.H01", name=name)
    subject = certificate_for(org).certificate.subject
    cn = subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert len(cn.encode()) <= 64 and cn.endswith("…") and name.startswith(cn[:-1])
    o = subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert len(o) == 64 and o.endswith("…") and name.startswith(o[:-1])


def test_bad_code_is_refused(pki_dir):
    with pytest.raises(pki.PkiError):
        certificate_for(types.SimpleNamespace(code="../../etc/passwd", name="x"))


def test_ensure_pki_issues_central_and_province_and_defers_the_rest(fresh_pki_dir, db, caplog):
    central = create_organisation(
        OrganisationData(code="000.00.00.G22", name="Văn phòng Chính phủ", level="central")
    )
    province = create_organisation(
        OrganisationData(
            code="000.00.00.H26", name="Ủy ban nhân dân tỉnh Hưng Yên", level="province"
        )
    )
    commune = create_organisation(
        OrganisationData(
            code="001.01.26.H26",
            name="Ủy ban nhân dân xã Phụng Công",
            level="commune",
            parent=province,
        )
    )
    with caplog.at_level(logging.DEBUG):
        report = ensure_pki()
    assert report.ca_created
    assert sorted(report.created) == [central.code, province.code]
    assert report.existing == 0 and report.deferred == 1
    assert (fresh_pki_dir / "ca.pem").exists()
    assert not (fresh_pki_dir / "orgs" / f"{commune.code}.pem").exists()
    assert "PRIVATE KEY" not in caplog.text

    again = ensure_pki()
    assert not again.ca_created and again.created == [] and again.existing == 2

    # The commune gets its certificate on first signing.
    signed = sign_pdf(make_pdf(), commune)
    assert (fresh_pki_dir / "orgs" / f"{commune.code}.pem").exists()
    assert verify_pdf(signed).signer_code == commune.code
    leftovers = [p.name for p in (fresh_pki_dir / "orgs").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def _race(barrier, queue, code):
    barrier.wait()
    try:
        cred = certificate_for(types.SimpleNamespace(code=code, name="Bộ Tài chính"))
        queue.put(
            (cred.certificate.serial_number, cred.private_key.public_key().public_numbers().n)
        )
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put(repr(exc))


def test_lazy_issue_is_safe_when_processes_race(fresh_pki_dir):
    ensure_ca()
    ctx = multiprocessing.get_context("fork")
    workers = 4
    barrier, queue = ctx.Barrier(workers), ctx.Queue()
    procs = [
        ctx.Process(target=_race, args=(barrier, queue, "000.00.00.G09")) for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert all(isinstance(r, tuple) for r in results), results
    assert len(set(results)) == 1  # one certificate, one key, seen by every process
    serial, modulus = results[0]
    cred = certificate_for(types.SimpleNamespace(code="000.00.00.G09", name="Bộ Tài chính"))
    assert cred.certificate.serial_number == serial
    assert cred.certificate.public_key().public_numbers().n == modulus
    assert sorted(p.name for p in (fresh_pki_dir / "orgs").iterdir()) == [
        "000.00.00.G09.key.pem",
        "000.00.00.G09.pem",
    ]


def test_production_mode_names_the_missing_files(settings, tmp_path, shared_pki_dir, org):
    settings.EGOV_PKI_AUTO_CREATE = False
    settings.EGOV_PKI_DIR = tmp_path / "operator-pki"
    with pytest.raises(PkiFileMissing) as missing_ca:
        ensure_ca()
    assert str(tmp_path / "operator-pki" / "ca.pem") in str(missing_ca.value)

    settings.EGOV_PKI_DIR.mkdir()
    shutil.copy(shared_pki_dir / "ca.pem", settings.EGOV_PKI_DIR / "ca.pem")
    with pytest.raises(PkiFileMissing) as missing_cert:
        sign_pdf(make_pdf(), org)
    assert str(settings.EGOV_PKI_DIR / "orgs" / "000.00.00.G22.pem") in str(missing_cert.value)
    report = ensure_pki()
    assert report.missing == ["000.00.00.G22"] and report.created == []
    assert sorted(p.name for p in settings.EGOV_PKI_DIR.iterdir()) == ["ca.pem"]  # wrote nothing


def test_production_mode_uses_the_operators_files(settings, tmp_path, pki_dir, org):
    issued = certificate_for(org)  # stands in for a certificate from the real CA
    operator = tmp_path / "operator-pki"
    (operator / "orgs").mkdir(parents=True)
    shutil.copy(pki_dir / "ca.pem", operator / "ca.pem")
    shutil.copy(issued.cert_path, operator / "orgs" / issued.cert_path.name)
    shutil.copy(issued.key_path, operator / "orgs" / issued.key_path.name)
    settings.EGOV_PKI_AUTO_CREATE = False
    settings.EGOV_PKI_DIR = operator

    result = verify_pdf(sign_pdf(make_pdf(), org))
    assert result.valid and result.signer_code == org.code
    assert verify_xml(sign_xml(make_xml(), org)).valid
    assert not (operator / "ca.key.pem").exists()


def test_certificates_of_a_replaced_development_ca_are_reissued(fresh_pki_dir):
    org = types.SimpleNamespace(code="000.00.00.G09", name="Bộ Tài chính")
    first = certificate_for(org).certificate
    (fresh_pki_dir / "ca.pem").unlink()
    (fresh_pki_dir / "ca.key.pem").unlink()
    second = certificate_for(org).certificate
    assert second.serial_number != first.serial_number
    second.verify_directly_issued_by(ensure_ca())


def _ca_cert(subject, key, issuer, issuer_key, path_length):
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _name(cn):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@pytest.mark.slow  # pyHanko's full validation, ~1 s
def test_operator_hierarchy_with_an_intermediate(settings, tmp_path, org):
    """Production: root in ca.pem, the organisation's certificate from an intermediate CA."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sub_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    org_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _ca_cert(_name("Root CA"), root_key, _name("Root CA"), root_key, 1)
    sub = _ca_cert(_name("Issuing CA"), sub_key, root.subject, root_key, 0)
    now = dt.datetime.now(dt.UTC)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(pki.org_subject(org.code, org.name))
        .issuer_name(sub.subject)
        .public_key(org_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(sub_key.public_key()),
            critical=False,
        )
        .sign(sub_key, hashes.SHA256())
    )
    operator = tmp_path / "operator-pki"
    (operator / "orgs").mkdir(parents=True)
    pem = serialization.Encoding.PEM
    (operator / "ca.pem").write_bytes(root.public_bytes(pem))
    (operator / "orgs" / f"{org.code}.pem").write_bytes(leaf.public_bytes(pem))
    (operator / "orgs" / f"{org.code}.chain.pem").write_bytes(sub.public_bytes(pem))
    (operator / "orgs" / f"{org.code}.key.pem").write_bytes(
        org_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    settings.EGOV_PKI_DIR = operator
    settings.EGOV_PKI_AUTO_CREATE = False

    signed_pdf = sign_pdf(make_pdf(), org)
    assert verify_pdf(signed_pdf).valid
    ok, report = pyhanko_independent_valid(signed_pdf, operator / "ca.pem", tmp_path)
    assert ok, report

    signed_xml = sign_xml(make_xml(), org)
    ds = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
    certs = etree.fromstring(signed_xml).xpath("//ds:X509Certificate", namespaces=ds)
    assert len(certs) == 2  # the organisation's certificate, then the intermediate
    result = verify_xml(signed_xml)
    assert result.valid, result.error
    done = xmlsec1_verify(signed_xml, operator / "ca.pem", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------- PDF


@pytest.mark.slow  # pyHanko's full validation, ~1 s
def test_signed_pdf_verifies_with_pyhanko(pki_dir, org, tmp_path):
    signed = sign_pdf(make_pdf(), org, reason="Tiếp nhận hồ sơ", location="Hà Nội")
    result = verify_pdf(signed)
    assert result.valid and result.intact and result.trusted, result
    assert "Văn phòng Chính phủ" in result.signer_subject
    assert result.signer_code == "000.00.00.G22"
    check = result.signatures[0]
    assert check.field_name == "Signature1" and check.covers_whole_file
    assert check.signing_time is not None

    ok, report = pyhanko_independent_valid(signed, pki_dir / "ca.pem", tmp_path)
    assert ok, report


@pytest.mark.slow  # pyHanko's full validation, ~1 s
def test_tampered_pdf_fails(pki_dir, org, tmp_path):
    signed = sign_pdf(make_pdf(), org)
    assert signed.count(MARKER) == 1
    tampered = signed.replace(MARKER, MARKER[:-1] + b"2")
    result = verify_pdf(tampered)
    assert not result.valid and not result.intact
    ok, report = pyhanko_independent_valid(tampered, pki_dir / "ca.pem", tmp_path)
    assert not ok, report


@pytest.mark.slow  # pyHanko's full validation, ~1 s
def test_pdf_from_another_ca_is_not_trusted(pki_dir, org, settings, tmp_path):
    signed = sign_pdf(make_pdf(), org)
    settings.EGOV_PKI_DIR = tmp_path / "other-pki"  # a different development CA
    result = verify_pdf(signed)
    assert result.intact and not result.trusted and not result.valid
    ok, report = pyhanko_independent_valid(signed, settings.EGOV_PKI_DIR / "ca.pem", tmp_path)
    assert not ok, report


def test_pdf_signer_gives_pyhankos_own_signature_bytes(pki_dir, org):
    # egov.core.signing.pdf._Signer signs with the loaded key instead of pyHanko's re-parse.
    from pyhanko.sign import signers

    from egov.core.signing import pdf

    ours = pdf._signer(certificate_for(org))
    theirs = signers.SimpleSigner(
        signing_cert=ours.signing_cert, signing_key=ours.signing_key, cert_registry=None
    )
    data = "Tiếp nhận hồ sơ".encode()
    assert ours.sign_raw(data, "sha256") == theirs.sign_raw(data, "sha256")


def test_unsigned_or_garbage_pdf_is_not_valid(pki_dir):
    assert verify_pdf(make_pdf()).error == "no signature"
    assert not verify_pdf(b"not a pdf").valid


# --------------------------------------------------------------------------- XML


def test_signed_xml_verifies_with_xmlsec1(pki_dir, org, tmp_path):
    signed = sign_xml(make_xml(), org)
    assert isinstance(signed, bytes)
    root = etree.fromstring(signed)
    signature = root[-1]
    assert signature.tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    ds = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
    assert signature.xpath("ds:SignedInfo/ds:Reference/@URI", namespaces=ds) == [""]
    assert signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm", namespaces=ds) == [
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    ]
    assert len(signature.xpath(".//ds:X509Data/ds:X509Certificate", namespaces=ds)) == 1

    result = verify_xml(signed)
    assert result.valid, result.error
    assert result.signer_code == "000.00.00.G22"
    assert "Văn phòng Chính phủ" in result.signer_subject

    done = xmlsec1_verify(signed, pki_dir / "ca.pem", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.startswith("OK"), done.stderr  # xmlsec1 reports on stderr


def test_sign_xml_element_in_element_out(pki_dir, org):
    element = etree.fromstring(make_xml())
    before = etree.tostring(element)
    signed = sign_xml(element, org)
    assert isinstance(signed, etree._Element)
    assert etree.tostring(element) == before  # the caller's tree is untouched
    assert verify_xml(signed).valid


def test_tampered_xml_fails(pki_dir, org, tmp_path):
    signed = sign_xml(make_xml(), org)
    old = "Kính gửi các bộ, ngành.".encode()
    assert old in signed
    tampered = signed.replace(old, "Kính gửi các tỉnh.".encode())
    result = verify_xml(tampered)
    assert not result.valid and result.error

    done = xmlsec1_verify(tampered, pki_dir / "ca.pem", tmp_path)
    assert done.returncode != 0, done.stdout + done.stderr


def test_xml_from_another_ca_is_not_trusted(pki_dir, org, settings, tmp_path):
    signed = sign_xml(make_xml(), org)
    settings.EGOV_PKI_DIR = tmp_path / "other-pki"
    assert not verify_xml(signed).valid
    done = xmlsec1_verify(signed, settings.EGOV_PKI_DIR / "ca.pem", tmp_path)
    assert done.returncode != 0, done.stdout + done.stderr


def test_unsigned_or_garbage_xml_is_not_valid(pki_dir):
    assert not verify_xml(make_xml()).valid
    assert not verify_xml(b"<unclosed>").valid


# --------------------------------------------------------------------------- command


def test_pki_command(fresh_pki_dir, org):
    out = io.StringIO()
    call_command("pki", "init", stdout=out)
    text = out.getvalue()
    assert str(fresh_pki_dir / "ca.pem") in text
    assert "created: 1" in text

    out = io.StringIO()
    call_command("pki", "show", "000.00.00.G22", stdout=out)
    text = out.getvalue()
    cert = pki.load_certificate("000.00.00.G22")
    assert "CN=Văn phòng Chính phủ" in text
    assert "organizationIdentifier=000.00.00.G22" in text
    assert f"{cert.serial_number:x}" in text
    assert cert.not_valid_after_utc.strftime("%Y-%m-%d") in text
