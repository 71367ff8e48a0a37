"""The approver signs the result on the dossier page: generated from the result template or
uploaded unsigned, signed with their personal certificate, attached and approved in one act.
Every signature is checked by pyHanko against the CA and by poppler's pdfsig; bad files are a
400 page in Vietnamese with nothing written."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from egov.core.models import AuditEntry
from egov.dossiers.models import Result, Status
from tests.core.signing_support import assert_pdfsig_shows, assert_valid_by_pyhanko
from tests.core.test_signing_personal import encrypted_pdf, page_pdf

from .core_support import submit, world  # noqa: F401
from .web_support import pdf_file, small_signed_pdf

NAME = "Nguyễn Văn An"


@pytest.fixture
def w(world):  # noqa: F811
    user = world.approver.user
    user.first_name, user.last_name = "Nguyễn Văn", "An"
    user.save(update_fields=["first_name", "last_name"])
    world.approver.title = "Chủ tịch"
    world.approver.save(update_fields=["title"])
    return world


def post(client, dossier, act, **data):
    return client.post(f"/one-stop/d/{dossier.code}/act/", {"act": act, **data})


def at_approval(client, w):
    """A dossier at the approval step, the approver logged in."""
    dossier = submit(w)
    client.force_login(w.desk.user)
    for act in ("receive", "start_processing"):
        assert post(client, dossier, act).status_code == 302
    client.force_login(w.processor.user)
    assert post(client, dossier, "forward").status_code == 302
    client.force_login(w.approver.user)
    return dossier


def stored(dossier) -> bytes:
    result = Result.objects.get(dossier=dossier)
    with result.file.open("rb") as handle:
        return handle.read()


def test_approve_with_a_result_from_the_template(client, w, tmp_path):
    dossier = at_approval(client, w)
    page = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    assert 'name="result_source" value="template"' in page
    response = post(
        client,
        dossier,
        "approve",
        result_source="template",
        name="Giấy xác nhận tình trạng hôn nhân",
        number="12/GXN",
        decision="Xác nhận ông/bà chưa đăng ký kết hôn với ai.",
        note="Đồng ý",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    result = Result.objects.get(dossier=dossier)
    assert result.signed and result.name == "Giấy xác nhận tình trạng hôn nhân"
    pdf = stored(dossier)
    assert_valid_by_pyhanko(pdf, signer_cn=NAME)
    assert_pdfsig_shows(pdf, tmp_path, NAME)
    if shutil.which("pdftotext"):
        path = tmp_path / "kq.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert dossier.code in text and "chưa đăng ký kết hôn" in text
        assert dossier.applicant_name in text
    # One audit row per act; the result's names who signed it.
    rows = {
        e.action: e.summary
        for e in AuditEntry.objects.filter(
            action__in=["dossiers.attach_result", "dossiers.approve"]
        )
    }
    assert set(rows) == {"dossiers.attach_result", "dossiers.approve"}
    assert rows["dossiers.attach_result"]["signed_by"] == f"official-{w.approver.pk}"


def test_approve_signing_an_uploaded_unsigned_pdf(client, w, tmp_path):
    dossier = at_approval(client, w)
    response = post(
        client,
        dossier,
        "approve",
        result_source="upload",
        name="Giấy phép",
        result=pdf_file("kq.pdf", page_pdf("Giay phep")),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pdf = stored(dossier)
    assert_valid_by_pyhanko(pdf, signer_cn=NAME)
    assert_pdfsig_shows(pdf, tmp_path, NAME)


def test_attach_a_pdf_to_sign_or_an_already_signed_one(client, w, tmp_path):
    dossier = at_approval(client, w)
    response = post(
        client, dossier, "attach_result", sign="1", result=pdf_file("kq.pdf", page_pdf())
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_valid_by_pyhanko(stored(dossier), signer_cn=NAME)
    # The organisation-signed upload of before still works (another dossier).
    other = at_approval(client, w)
    signed = small_signed_pdf(w.a)
    assert (
        post(client, other, "attach_result", result=pdf_file("kq.pdf", signed)).status_code == 302
    )
    assert stored(other) == signed


@pytest.mark.parametrize(
    "upload, words",
    [
        (pdf_file("kq.pdf", b"GIF89a not a pdf at all"), "không phải"),
        ("encrypted", "mã hóa"),
        (None, "Chọn tệp kết quả"),
    ],
    ids=["not-a-pdf", "encrypted", "no-file"],
)
def test_a_bad_file_is_a_400_in_vietnamese_and_nothing_is_written(client, w, upload, words):
    dossier = at_approval(client, w)
    if upload == "encrypted":
        upload = pdf_file("kq.pdf", encrypted_pdf())
    data = {"result_source": "upload", "name": "Giấy phép"}
    if upload is not None:
        data["result"] = upload
    before = AuditEntry.objects.count()
    response = post(client, dossier, "approve", **data)
    assert response.status_code == 400
    assert words in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert not Result.objects.filter(dossier=dossier).exists()
    assert AuditEntry.objects.count() == before


def test_the_template_needs_the_decision_text(client, w):
    dossier = at_approval(client, w)
    response = post(client, dossier, "approve", result_source="template", name="Giấy phép")
    assert response.status_code == 400 and "Nhập nội dung quyết định" in response.content.decode()
    assert not Result.objects.filter(dossier=dossier).exists()


def test_nothing_is_signed_for_an_act_the_official_may_not_make(client, w, settings):
    dossier = at_approval(client, w)
    client.force_login(w.processor.user)  # not the approver
    response = post(client, dossier, "approve", result_source="template", name="X", decision="Y")
    assert response.status_code in {400, 403}
    assert not Result.objects.filter(dossier=dossier).exists()
    people = settings.EGOV_PKI_DIR / "people"
    assert not people.exists() or not any(people.glob(f"official-{w.processor.pk}.*"))


def test_the_plain_approval_stays_as_it_was(client, w):
    dossier = at_approval(client, w)
    assert post(client, dossier, "approve", note="ok").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    assert not Result.objects.filter(dossier=dossier).exists()


def test_a_signed_result_leaves_the_approval_form_without_the_signing_choice(client, w):
    dossier = at_approval(client, w)
    post(client, dossier, "attach_result", sign="1", result=pdf_file("kq.pdf", page_pdf()))
    page = client.get(f"/one-stop/d/{dossier.code}/").content.decode()
    assert 'value="approve"' in page and 'name="result_source"' not in page
