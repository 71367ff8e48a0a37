"""Signing a submission: the report PDF generated from its values, signed (PAdES) by a signer
of the reporting organisation with their personal certificate, checked by pyHanko's own
validator against the CA; the signature recorded in the audit chain; others refused."""

import hashlib
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core.models import AuditEntry
from egov.core.services import audit
from egov.reporting.models import SubmissionSignature
from egov.reporting.services import approval, signing
from egov.reporting.services.submissions import Entry

from ..accounts.officials_support import make_official
from ..core.signing_support import assert_pdfsig_shows, assert_valid_by_pyhanko
from .form_support import report_url, send
from .submission_support import MONTH, TOTAL, YEAR

pytestmark = pytest.mark.slow  # RSA keys for the CA and the signer


def pdftotext(pdf: bytes, tmp_path) -> str:
    binary = shutil.which("pdftotext")
    if binary is None:
        pytest.skip("poppler's pdftotext is not installed (Debian package poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([binary, str(path), "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_reporter_signs_through_the_page(w, tmp_path):
    submission = send(w.reporter, w.regime, w.t.a)
    page = w.client.get(report_url(w.regime, w.t.a)).content.decode()
    assert "Ký số báo cáo" in page
    response = w.client.post(report_url(w.regime, w.t.a, "sign/"))
    assert response.status_code == 302
    signature = SubmissionSignature.objects.get()
    pdf = bytes(signature.pdf)
    assert_valid_by_pyhanko(pdf, signer_cn="Lan Trần Thị")
    assert_pdfsig_shows(pdf, tmp_path, "Lan Trần Thị")  # poppler, another PDF library
    text = pdftotext(pdf, tmp_path)
    assert "Xã A" in text and "Tháng 3/2025" in text and "45.5" in text  # what was sent
    assert signature.sha256 == hashlib.sha256(pdf).hexdigest()
    entry = AuditEntry.objects.get(action="reporting.signed")
    assert entry.summary["sha256"] == signature.sha256
    assert entry.object_id == str(submission.pk) and entry.actor == f"user:{w.reporter.pk}"
    assert audit.verify().problem is None  # the chain holds with the signature's row
    page = w.client.get(report_url(w.regime, w.t.a)).content.decode()
    assert "Đã ký" in page
    download = w.client.get(f"/reporting/signatures/{signature.pk}.pdf")
    assert download.status_code == 200 and download.content == pdf


def test_a_new_version_is_unsigned_until_signed_again(w):
    submission = send(w.reporter, w.regime, w.t.a)
    signing.sign(submission, actor=w.reporter)
    again = send(w.reporter, w.regime, w.t.a, values=("130", "45.5", "40"))
    assert signing.current_signature(again) is None
    assert "chưa được ký" in w.client.get(report_url(w.regime, w.t.a)).content.decode()


def test_a_correction_after_approval_leaves_the_report_unsigned(w, django_user_model):
    """A revision changes the values the PDF shows, not the version: the PDF signed before it
    is no longer the report's signature, on its page or on the drill-down."""
    root = django_user_model.objects.create_superuser("root", password=None)
    submission = send(w.reporter, w.regime, w.t.a)
    before = signing.sign(submission, actor=w.reporter)
    approval.act(
        actor=root, name="approve", regime=w.regime, organisation=w.t.a, year=YEAR, number=MONTH
    )
    figure = f"/reporting/dashboard/figure/{w.regime.code}/{TOTAL}/{YEAR}/{MONTH}/"
    drill = w.client.get(figure, {"organisation": w.t.a.code})
    assert drill.context["own"][0]["signature"] == before
    approval.revise(
        actor=root, submission=submission, entries=[Entry(TOTAL, "125")], reason="Sai số"
    )
    assert signing.current_signature(submission) is None
    drill = w.client.get(figure, {"organisation": w.t.a.code})
    assert drill.context["own"][0]["signature"] is None
    after = signing.sign(submission, actor=w.reporter)
    assert after.revision == 1 and signing.current_signature(submission) == after
    drill = w.client.get(figure, {"organisation": w.t.a.code})
    assert drill.context["own"][0]["signature"] == after


def test_an_official_of_another_organisation_does_not_sign(w):
    submission = send(w.reporter, w.regime, w.t.a)
    province = make_official("rep_p", w.t.p, "reporter", subtree=True).user
    with pytest.raises(PermissionDenied):
        signing.sign(submission, actor=province)  # holds the scope over A, is not A's
    stranger = make_official("rep_b", w.t.b, "reporter").user
    with pytest.raises(PermissionDenied):
        signing.sign(submission, actor=stranger)
    w.client.force_login(stranger)
    assert w.client.post(report_url(w.regime, w.t.a, "sign/")).status_code in (403, 404)
    assert not SubmissionSignature.objects.exists()
    assert not AuditEntry.objects.filter(action="reporting.signed").exists()


def test_a_signed_pdf_of_another_organisation_is_not_served(w):
    submission = send(w.reporter, w.regime, w.t.a)
    signature = signing.sign(submission, actor=w.reporter)
    w.client.force_login(make_official("rep_b", w.t.b, "reporter").user)
    assert w.client.get(f"/reporting/signatures/{signature.pk}.pdf").status_code == 404


def test_nothing_to_sign_before_sending(w):
    response = w.client.post(report_url(w.regime, w.t.a, "sign/"))
    assert response.status_code == 400 and "gửi báo cáo trước" in response.content.decode()


def test_a_report_sent_again_while_signing_keeps_no_signature(w, monkeypatch):
    submission = send(w.reporter, w.regime, w.t.a)
    real = signing.sign_pdf_as

    def meanwhile(*args, **kwargs):
        signed = real(*args, **kwargs)
        send(w.reporter, w.regime, w.t.a, values=("130", "45.5", "40"))
        return signed

    monkeypatch.setattr(signing, "sign_pdf_as", meanwhile)
    with pytest.raises(ValidationError):
        signing.sign(submission, actor=w.reporter)
    assert not SubmissionSignature.objects.exists()
