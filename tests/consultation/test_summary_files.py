"""The table of acceptance and explanation as files: published with the result, a PDF sealed by
the drafting agency (checked by pyHanko and poppler's pdfsig, read back by pdftotext) and a
.docx read back with python-docx; public on the page and in the API; nothing written when the
seal fails."""

import hashlib
import io
import shutil
import subprocess

import pytest
from django.core.files.storage import default_storage
from docx import Document

from egov.consultation import services
from egov.consultation.models import Phase, SummaryTable
from egov.consultation.services import summary_files
from egov.core.models import AuditEntry

from ..core.signing_support import assert_pdfsig_shows, assert_valid_by_pyhanko
from .conftest import TEXT_V2, window

API = "/api/v1/consultation"


@pytest.fixture
def answered(world, consultation):
    """Three comments (two identical), closed, version 2, both groups answered."""
    a = services.submit(
        world.citizen, consultation, services.CommentData("Bỏ giấy chứng nhận", "dieu-3.khoan-1")
    )
    b = services.submit(
        world.citizens[0],
        consultation,
        services.CommentData("Giữ giấy sức khỏe", "dieu-3.khoan-2.diem-b"),
    )
    services.submit(
        world.citizens[1],
        consultation,
        services.CommentData("bỏ giấy chứng nhận", "dieu-3.khoan-1"),
    )
    c = services.make(world.drafter, consultation, "close_comments")
    services.add_version(world.drafter, c.draft, text=TEXT_V2)
    services.answer(
        world.drafter, c, [a.pk], kind="accepted", text="Đã bỏ", changed_anchor="dieu-3.khoan-1"
    )
    services.answer(world.lead, c, [b.pk], kind="explained", text="Cần cho sức khỏe")
    return c, a, b


def _pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _read(field) -> bytes:
    with default_storage.open(field.name, "rb") as handle:
        return handle.read()


@pytest.mark.slow
def test_the_table_is_sealed_and_published_with_the_result(
    client, world, answered, tmp_path, django_assert_max_num_queries
):
    c, a, b = answered
    # Before the result: no file, no link.
    assert client.get(f"{API}/consultations/{c.code}/summary-pdf/").status_code == 404
    assert client.get(f"/consultation/{c.code}/tiep-thu-giai-trinh.pdf").status_code == 404
    assert client.get(f"{API}/consultations/{c.code}/").json()["summary_pdf"] is None

    c = services.make(world.drafter, c, "publish_result")
    table = SummaryTable.objects.get(consultation=c)
    assert (table.answers, table.commenters) == (2, 3)
    pdf, docx = _read(table.pdf), _read(table.docx)

    assert_valid_by_pyhanko(pdf, signer_cn="Bộ Công Thương")
    assert_pdfsig_shows(pdf, tmp_path, "Bộ Công Thương")
    text = " ".join(_pdftotext(pdf, tmp_path).split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BẢNG TỔNG HỢP TIẾP THU, GIẢI TRÌNH",
        "Bỏ giấy chứng nhận",
        "Giải trình",
        "Cần cho sức khỏe",
        "Điều 3 khoản 1",
    ):
        assert expected in text, text

    # The .docx: one row per answer, matching the answers (read back with python-docx).
    grid = Document(io.BytesIO(docx)).tables[0]
    cells = [[cell.text for cell in row.cells] for row in grid.rows]
    assert cells[0] == summary_files.HEADERS
    assert len(cells) == 3
    assert cells[1][0] == "1" and "Bỏ giấy chứng nhận" in cells[1][1]
    assert cells[1][2:4] == ["2", "Tiếp thu"] and "Đã bỏ" in cells[1][4]
    assert "Điều 3 khoản 1, dự thảo lần 2" in cells[1][4]
    assert cells[2][2:] == ["1", "Giải trình", "Cần cho sức khỏe"]

    entry = AuditEntry.objects.get(action="consultation.summary.publish")
    assert entry.summary["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert entry.summary["docx_sha256"] == hashlib.sha256(docx).hexdigest()

    # Public: the API links and serves the same bytes, the page links both files.
    services.create_consultation(world.drafter, c.draft, title="Lần hai", windows=window())
    with django_assert_max_num_queries(6):  # the table comes with its consultation
        listed = client.get(f"{API}/consultations/").json()["results"]
    assert [r["summary_pdf"] is not None for r in listed] == [False, True]
    detail = client.get(f"{API}/consultations/{c.code}/").json()
    assert detail["summary_pdf"] == f"{API}/consultations/{c.code}/summary-pdf/"
    served = client.get(detail["summary_pdf"])
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == pdf
    served = client.get(detail["summary_docx"])
    assert b"".join(served.streaming_content) == docx
    page = client.get(f"/consultation/{c.code}/").content.decode()
    assert f"/consultation/{c.code}/tiep-thu-giai-trinh.pdf" in page
    assert f"/consultation/{c.code}/tiep-thu-giai-trinh.docx" in page
    download = client.get(f"/consultation/{c.code}/tiep-thu-giai-trinh.docx")
    assert b"".join(download.streaming_content) == docx
    assert client.get(f"/consultation/{c.code}/tiep-thu-giai-trinh.exe").status_code == 404


def test_the_json_rows_are_the_files_rows(client, world, answered):
    c, a, b = answered
    rows = client.get(f"{API}/consultations/{c.code}/summary/").json()
    assert [(r["answer_kind"], r["comments"], r["commenters"]) for r in rows] == [
        ("accepted", [a.pk], 2),
        ("explained", [b.pk], 1),
    ]
    assert rows[0]["changed_anchor"] == "dieu-3.khoan-1" and rows[0]["changed_version"] == 2


def test_a_failed_seal_writes_nothing(world, answered, monkeypatch):
    c, _a, _b = answered
    saved = []
    real_save = default_storage.save

    def save(name, content):
        saved.append(real_save(name, content))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", save)

    from egov.consultation.services import consultations as module

    real_record = module.record

    def broken(actor, action, *args, **kwargs):
        if action == "summary.publish":  # after both files are stored
            raise RuntimeError("audit down")
        return real_record(actor, action, *args, **kwargs)

    monkeypatch.setattr(module, "record", broken)
    audits = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        services.make(world.drafter, c, "publish_result")
    c.refresh_from_db()
    assert c.phase == Phase.ANSWERS
    assert not SummaryTable.objects.exists()
    assert AuditEntry.objects.count() == audits
    assert len(saved) == 2
    assert [n for n in saved if default_storage.exists(n)] == [], saved


def test_rows_taller_than_a_page_still_make_a_pdf(world, consultation, tmp_path):
    """The longest comment (10,000 characters) and an answer covering many comments: the PDF
    splits the row across pages instead of failing the publication."""
    long_text = " ".join(["Đề nghị bỏ giấy chứng nhận cơ sở đủ điều kiện."] * 220)[:10_000]
    row = {
        "answer_kind": "explained",
        "answer": long_text,
        "changed_anchor": None,
        "changed_label": None,
        "changed_version": None,
        "comments": list(range(1, 41)),
        "comment_texts": [f"[dieu-3] {long_text}"] * 2
        + [f"[dieu-1] Ý kiến {i}" for i in range(38)],
        "commenters": 40,
    }
    at = consultation.created_at
    pdf = summary_files.render_pdf(consultation, [row], at=at)
    assert_valid_by_pyhanko(pdf, signer_cn="Bộ Công Thương")
    text = " ".join(_pdftotext(pdf, tmp_path).split())
    assert "và 20 ý kiến khác" in text and "Ý kiến 17" in text and "Ý kiến 18" not in text
    cells = Document(io.BytesIO(summary_files.render_docx(consultation, [row], at=at))).tables[0]
    assert len(cells.rows) == 2
