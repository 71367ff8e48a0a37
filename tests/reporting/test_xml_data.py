"""The report's data signed as XML (XMLDSig): signed through the page by the organisation's
signer and verified by the ``xmlsec1`` command line against the CA (not our verifier); a value
altered in the kept document fails on read; a document written with lxml alone and signed by
``xmlsec1`` (another implementation) is accepted through the API, a badly signed one refused
with nothing written."""

from __future__ import annotations

import shutil
import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from lxml import etree

from egov.accounts.signing import holder_of_official
from egov.core.models import AuditEntry
from egov.core.services import audit
from egov.core.signing import people
from egov.reporting.models import DataSignature, DataValue, Submission
from egov.reporting.services import approval, xml_data
from egov.reporting.services.submissions import Entry

from ..accounts.officials_support import make_official
from ..core.signing_support import ca_pem
from .form_support import report_url, send
from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR

pytestmark = [
    pytest.mark.slow,  # RSA keys for the CA and the signer
    pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed"),
]

NS = "urn:egov:reporting:data:1"
DS = "http://www.w3.org/2000/09/xmldsig#"
API = "/api/v1/reporting/signed-data/"


def xmlsec1(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [shutil.which("xmlsec1"), *args], capture_output=True, text=True, timeout=60
    )


def verify_with_xmlsec1(data: bytes, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "data.xml"
    path.write_bytes(data)
    return xmlsec1("--verify", "--trusted-pem", str(ca_pem()), str(path))


def test_the_signer_signs_the_data_and_xmlsec1_verifies_it(w, tmp_path):
    submission = send(w.reporter, w.regime, w.t.a)
    page = w.client.get(report_url(w.regime, w.t.a)).content.decode()
    assert "Ký số dữ liệu (XML)" in page
    response = w.client.post(report_url(w.regime, w.t.a, "sign-data/"))
    assert response.status_code == 302
    signature = DataSignature.objects.get()
    assert signature.version == submission.submitted_at and not signature.uploaded
    page = w.client.get(report_url(w.regime, w.t.a)).content.decode()
    assert f"/reporting/signed-data/{signature.pk}.xml" in page
    download = w.client.get(f"/reporting/signed-data/{signature.pk}.xml")
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    checked = verify_with_xmlsec1(download.content, tmp_path)
    assert checked.returncode == 0, checked.stderr
    # What was signed is the report: its codes, its period and its values.
    root = etree.fromstring(download.content)
    assert root.find(f"{{{NS}}}Organisation").get("code") == w.t.a.code
    assert root.find(f"{{{NS}}}Period").attrib == {"year": str(YEAR), "number": str(MONTH)}
    values = {v.get("indicator"): v.text for v in root.iter(f"{{{NS}}}Value")}
    assert values == {TOTAL: "120", RATE: "45.5", ON_TIME: "40"}
    entry = AuditEntry.objects.get(action="reporting.data_signed")
    assert entry.summary["sha256"] == signature.sha256 and entry.object_id == str(submission.pk)
    assert audit.verify().problem is None
    # The API serves the same bytes.
    api = w.client.get(f"{API}{signature.pk}/")
    assert api.status_code == 200 and api.content == download.content


def test_a_tampered_value_fails_verification_on_read(w, tmp_path):
    submission = send(w.reporter, w.regime, w.t.a)
    signature = xml_data.sign(submission, actor=w.reporter)
    data = bytes(signature.document)
    tampered = data.replace(b">120</", b">12000</")
    assert tampered != data
    assert verify_with_xmlsec1(tampered, tmp_path).returncode != 0  # the independent tool agrees
    DataSignature.objects.filter(pk=signature.pk).update(document=tampered)
    page = w.client.get(f"/reporting/signed-data/{signature.pk}.xml")
    assert page.status_code == 409 and "không hợp lệ" in page.content.decode()
    api = w.client.get(f"{API}{signature.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert api.status_code == 409 and "không hợp lệ" in api.json()["message"]


def test_signed_data_that_no_longer_matches_the_values_is_not_served(w):
    submission = send(w.reporter, w.regime, w.t.a)
    signature = xml_data.sign(submission, actor=w.reporter)
    submission.values.filter(indicator__key=TOTAL).update(value="121")  # behind the platform
    assert not xml_data.check(signature).valid
    assert w.client.get(f"/reporting/signed-data/{signature.pk}.xml").status_code == 409


def test_an_official_of_another_organisation_neither_signs_nor_reads(w):
    submission = send(w.reporter, w.regime, w.t.a)
    signature = xml_data.sign(submission, actor=w.reporter)
    stranger = make_official("rep_b", w.t.b, "reporter").user
    w.client.force_login(stranger)
    assert w.client.get(f"/reporting/signed-data/{signature.pk}.xml").status_code == 404
    assert w.client.get(f"{API}{signature.pk}/").status_code == 404
    signed = w.client.post(f"{API}sign/", {"submission": submission.pk}, "application/json")
    assert signed.status_code == 404
    assert DataSignature.objects.count() == 1


def test_the_api_signs_for_the_reporter(w):
    submission = send(w.reporter, w.regime, w.t.a)
    response = w.client.post(f"{API}sign/", {"submission": submission.pk}, "application/json")
    assert response.status_code == 201, response.content
    assert response.json()["holder"] == holder_of_official(w.reporter.official).id


# --------------------------------------------------------------------------- another signer


def data_document(organisation, values, version=None, revision=None) -> etree._Element:
    """The data document as the format's description in services/xml_data.py gives it,
    written with lxml alone (none of egov's code). ``version``: the report's ``submitted_at``
    the values replace (a datetime, written as ISO 8601), ``revision`` its corrections."""
    root = etree.Element(f"{{{NS}}}ReportData", nsmap={None: NS})
    etree.SubElement(root, f"{{{NS}}}Regime", code="dvc-thang")
    etree.SubElement(root, f"{{{NS}}}Organisation", code=organisation.code)
    etree.SubElement(root, f"{{{NS}}}Period", year=str(YEAR), number=str(MONTH))
    parent = etree.SubElement(root, f"{{{NS}}}Values")
    for key, value in values:
        etree.SubElement(parent, f"{{{NS}}}Value", indicator=key).text = value
    if version is not None:
        etree.SubElement(root, f"{{{NS}}}Version").text = version.isoformat()
    if revision is not None:
        etree.SubElement(root, f"{{{NS}}}Revision").text = str(revision)
    return root


def sign_with_xmlsec1(root, official, tmp_path) -> bytes:
    """Sign with the ``xmlsec1`` command line and the official's key (RSA-SHA256, exclusive
    c14n, inclusive of the certificate): another XMLDSig implementation than ours."""
    ds = f"{{{DS}}}"
    sig = etree.SubElement(root, ds + "Signature", nsmap={"ds": DS})
    info = etree.SubElement(sig, ds + "SignedInfo")
    exc = "http://www.w3.org/2001/10/xml-exc-c14n#"
    etree.SubElement(info, ds + "CanonicalizationMethod", Algorithm=exc)
    etree.SubElement(
        info, ds + "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    )
    ref = etree.SubElement(info, ds + "Reference", URI="")
    transforms = etree.SubElement(ref, ds + "Transforms")
    etree.SubElement(transforms, ds + "Transform", Algorithm=f"{DS}enveloped-signature")
    etree.SubElement(transforms, ds + "Transform", Algorithm=exc)
    etree.SubElement(ref, ds + "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    etree.SubElement(ref, ds + "DigestValue")
    etree.SubElement(sig, ds + "SignatureValue")
    etree.SubElement(etree.SubElement(sig, ds + "KeyInfo"), ds + "X509Data")
    template = tmp_path / "template.xml"
    template.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    holder = holder_of_official(official)
    people.certificate_for(holder)  # issued by the development CA on first need
    key, cert = people.paths(holder.id)
    out = tmp_path / "signed.xml"
    done = xmlsec1("--sign", "--privkey-pem", f"{key},{cert}", "--output", str(out), str(template))
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


VALUES = [(TOTAL, "120"), (RATE, "45.5"), (ON_TIME, "40")]


def _post(client, data: bytes, query=""):
    return client.post(
        f"{API}{query}", data, content_type="application/xml", HTTP_ACCEPT_LANGUAGE="vi"
    )


def test_data_signed_by_xmlsec1_is_verified_submitted_and_kept(w, tmp_path):
    data = sign_with_xmlsec1(data_document(w.t.a, VALUES), w.reporter.official, tmp_path)
    response = _post(w.client, data)
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    got = {v.indicator.key: format(v.value.normalize(), "f") for v in submission.values.all()}
    assert got == dict(VALUES)
    signature = DataSignature.objects.get()
    assert bytes(signature.document) == data and signature.uploaded
    assert signature.version == submission.submitted_at
    assert xml_data.check(signature).valid
    assert AuditEntry.objects.filter(action="reporting.submitted").count() == 1
    assert AuditEntry.objects.filter(action="reporting.data_signed").count() == 1
    again = w.client.get(f"{API}{signature.pk}/")
    assert again.status_code == 200 and again.content == data


def test_a_bad_signature_is_refused_and_nothing_written(w, tmp_path):
    data = sign_with_xmlsec1(data_document(w.t.a, VALUES), w.reporter.official, tmp_path)
    tampered = data.replace(b">120</", b">130</")
    response = _post(w.client, tampered)
    assert response.status_code == 400
    assert "Chữ ký" in response.json()["message"]
    unsigned = etree.tostring(data_document(w.t.a, VALUES))
    assert _post(w.client, unsigned).status_code == 400
    assert not Submission.objects.exists() and not DataSignature.objects.exists()
    assert not AuditEntry.objects.filter(
        action__in=["reporting.submitted", "reporting.data_signed"]
    ).exists()


def test_data_signed_by_someone_outside_the_organisation_is_refused(w, tmp_path):
    province = make_official("rep_p", w.t.p, "reporter", subtree=True)
    data = sign_with_xmlsec1(data_document(w.t.a, VALUES), province, tmp_path)
    response = _post(w.client, data)
    assert response.status_code == 403
    assert "không được ký bởi" in response.json()["message"]
    assert not Submission.objects.exists() and not DataSignature.objects.exists()


def test_signed_values_go_through_the_same_checks(w, tmp_path):
    bad = [(TOTAL, "10"), (RATE, "45"), (ON_TIME, "40")]  # a blocking rule breaks
    data = sign_with_xmlsec1(data_document(w.t.a, bad), w.reporter.official, tmp_path)
    response = _post(w.client, data)
    assert response.status_code == 400 and "phải" in response.json()["message"]
    warned = [(TOTAL, "120"), (RATE, "30"), (ON_TIME, "90")]  # a warning only
    data = sign_with_xmlsec1(data_document(w.t.a, warned), w.reporter.official, tmp_path)
    assert _post(w.client, data).status_code == 400
    assert not DataSignature.objects.exists()
    assert _post(w.client, data, "?confirm_warnings=true").status_code == 201


# --------------------------------------------------------------------------- replays


def _rows() -> dict:
    """Everything a refused post must leave as it was."""
    return {
        "submissions": list(Submission.objects.values_list("pk", "submitted_at")),
        "values": sorted(DataValue.objects.values_list("indicator__key", "value", "submission_id")),
        "signatures": DataSignature.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def _refused(response, code: str) -> None:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == code
    assert "ký" in body["message"]  # Vietnamese: "ký số", "đã ký"


def test_a_document_accepted_once_is_refused_when_posted_again(w, tmp_path):
    data = sign_with_xmlsec1(data_document(w.t.a, VALUES), w.reporter.official, tmp_path)
    assert _post(w.client, data).status_code == 201
    before = _rows()
    again = _post(w.client, data)
    _refused(again, "replayed")
    assert "đã được tiếp nhận" in again.json()["message"]
    # Other bytes, the same signed document: another XML declaration, whitespace after the
    # element. The signature still verifies; the replay is still seen.
    dressed = data.replace(b"<?xml version='1.0' encoding='UTF-8'?>", b'<?xml version="1.0"?>')
    dressed += b"\n\n"
    assert dressed != data and xml_data.verify(dressed).digest == xml_data.verify(data).digest
    _refused(_post(w.client, dressed), "replayed")
    assert _rows() == before


def test_a_platform_signed_document_posted_back_is_a_replay(w):
    submission = send(w.reporter, w.regime, w.t.a)
    signature = xml_data.sign(submission, actor=w.reporter)
    before = _rows()
    _refused(_post(w.client, bytes(signature.document)), "replayed")
    assert _rows() == before


def test_the_unique_index_refuses_a_replay_the_look_up_missed(w, monkeypatch):
    """Two posts of one document at once both pass the look-up; the index decides. Here the
    look-up is made to miss: a platform-signed document names the current version, so only
    the index stands between it and a second acceptance."""
    submission = send(w.reporter, w.regime, w.t.a)
    signature = xml_data.sign(submission, actor=w.reporter)
    monkeypatch.setattr(xml_data, "_accepted_already", lambda digest: False)
    before = _rows()
    _refused(_post(w.client, bytes(signature.document)), "replayed")
    assert _rows() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        DataSignature.objects.create(
            submission=submission,
            version=submission.submitted_at,
            signed_by=w.reporter,
            holder=signature.holder,
            signed_at=signature.signed_at,
            document=b"<x/>",
            sha256="0" * 64,
            signed_digest=signature.signed_digest,
        )


def test_a_document_prepared_for_an_earlier_version_is_stale(w, tmp_path):
    official = w.reporter.official
    first = sign_with_xmlsec1(data_document(w.t.a, VALUES), official, tmp_path)
    assert _post(w.client, first).status_code == 201
    version = Submission.objects.get().submitted_at
    # Signed without a version while the report exists: it would silently replace it.
    fresh = [(TOTAL, "121"), (RATE, "45.5"), (ON_TIME, "40")]
    unversioned = sign_with_xmlsec1(data_document(w.t.a, fresh), official, tmp_path)
    before = _rows()
    _refused(_post(w.client, unversioned), "stale")
    assert "phiên bản" in _post(w.client, unversioned).json()["message"]
    assert _rows() == before
    # Against the current version: accepted, and it makes a new one.
    current = sign_with_xmlsec1(data_document(w.t.a, fresh, version=version), official, tmp_path)
    assert _post(w.client, current).status_code == 201
    assert Submission.objects.get().submitted_at > version
    # Another document against the version just replaced: stale, the old values stay out.
    old = [(TOTAL, "120"), (RATE, "44"), (ON_TIME, "40")]
    late = sign_with_xmlsec1(data_document(w.t.a, old, version=version), official, tmp_path)
    before = _rows()
    _refused(_post(w.client, late), "stale")
    assert _rows() == before
    held = {v.indicator.key: v.value for v in Submission.objects.get().values.all()}
    assert held[TOTAL] == 121 and held[RATE] == Decimal("45.5")


def test_old_values_cannot_come_back_after_a_revision(w, tmp_path, django_user_model):
    root = django_user_model.objects.create_superuser("root", password=None)
    official = w.reporter.official
    first = sign_with_xmlsec1(data_document(w.t.a, VALUES), official, tmp_path)
    assert _post(w.client, first).status_code == 201
    submission = Submission.objects.get()
    version = submission.submitted_at
    platform = xml_data.sign(submission, actor=w.reporter)
    # Signed for the version as it stood, waiting in a system while the report is approved
    # and then corrected.
    waiting = [(TOTAL, "120"), (RATE, "40"), (ON_TIME, "40")]
    pending = sign_with_xmlsec1(data_document(w.t.a, waiting, version=version), official, tmp_path)
    approval.act(
        actor=root, name="approve", regime=w.regime, organisation=w.t.a, year=YEAR, number=MONTH
    )
    approval.revise(
        actor=root, submission=submission, entries=[Entry(TOTAL, "125")], reason="Sai số"
    )
    before = _rows()
    _refused(_post(w.client, pending), "stale")
    assert _rows() == before
    # The platform's signature of the version before the correction is no longer current:
    # neither the report's page nor the drill-down offers it.
    assert xml_data.current_signature(submission) is None
    assert not xml_data.check(platform).current
    figure = f"/reporting/dashboard/figure/{w.regime.code}/{TOTAL}/{YEAR}/{MONTH}/"
    drill = w.client.get(figure, {"organisation": w.t.a.code})
    assert drill.status_code == 200 and drill.context["own"][0]["data_signature"] is None
    # Signed again now, the document names the revision.
    signed = xml_data.sign(submission, actor=w.reporter)
    assert signed.revision == 1 and xml_data.check(signed).current
    assert b"<Revision>1</Revision>" in bytes(signed.document)
    drill = w.client.get(figure, {"organisation": w.t.a.code})
    assert drill.context["own"][0]["data_signature"] == signed
    assert f"/reporting/signed-data/{signed.pk}.xml" in drill.content.decode()
    # A document against the corrected version passes the version check and meets the lock.
    revised = sign_with_xmlsec1(
        data_document(w.t.a, waiting, version=version, revision=1), official, tmp_path
    )
    response = _post(w.client, revised)
    assert response.status_code == 400 and "khóa" in response.json()["message"]


def test_an_unreadable_version_is_refused(w, tmp_path):
    root = data_document(w.t.a, VALUES)
    etree.SubElement(root, f"{{{NS}}}Version").text = "hôm qua"
    data = sign_with_xmlsec1(root, w.reporter.official, tmp_path)
    response = _post(w.client, data)
    assert response.status_code == 400 and "phiên bản" in response.json()["message"]
    assert not Submission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_document_posted_at_once_is_accepted_once(w, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent posts are checked on PostgreSQL")
    data = sign_with_xmlsec1(data_document(w.t.a, VALUES), w.reporter.official, tmp_path)
    senders = 4
    barrier = threading.Barrier(senders)
    results: list[object] = []

    def post() -> None:
        try:
            barrier.wait()
            results.append(xml_data.submit_signed(w.reporter, data))
        except BaseException as exc:  # noqa: BLE001
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepted = [r for r in results if isinstance(r, DataSignature)]
    refused = [r for r in results if isinstance(r, xml_data.Refused)]
    assert len(accepted) == 1 and len(refused) == senders - 1, results
    assert {r.code for r in refused} <= {"replayed", "stale"}
    assert DataSignature.objects.count() == 1 and Submission.objects.count() == 1
    assert AuditEntry.objects.filter(action="reporting.submitted").count() == 1
    assert AuditEntry.objects.filter(action="reporting.data_signed").count() == 1
