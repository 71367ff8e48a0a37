"""Files on the lead's reports: checked by their content with the platform's one upload rule
(egov.dossiers.services.files.check), stored with the report in its transaction and audited,
refused in Vietnamese with nothing written, downloaded only by those who read the task."""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.assignments import services
from egov.assignments.errors import AssignmentError
from egov.assignments.models import Report, ReportFile
from egov.assignments.services.files import MAX_FILES, Upload
from egov.core.models import AuditEntry

from .conftest import make_task

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ON = date(2026, 2, 2)


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "assignments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_progress_report_keeps_its_checked_file_and_audits_it(world):
    task = make_task(world)
    report = services.report_progress(
        world.lead_officer.user,
        task,
        text="Đã xây dựng dự thảo.",
        files=[Upload(PDF, "Bao cao tien do.pdf", "application/pdf")],
        on=ON,
    )
    row = report.files.get()
    assert (row.name, row.content_type, row.size) == (
        "Bao cao tien do.pdf",
        "application/pdf",
        len(PDF),
    )
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    with row.file.open("rb") as handle:
        assert handle.read() == PDF
    entry = AuditEntry.objects.get(action="assignments.report_progress")
    assert entry.summary["files"] == [row.sha256]


def test_a_completion_report_takes_files_too(world):
    task = make_task(world)
    report = services.report_completion(
        world.lead_officer.user,
        task,
        text="Đã trình Chính phủ.",
        result=services.DocumentRef("45/TTr-BTC", date(2026, 2, 1)),
        files=[Upload(PDF, "to-trinh.pdf", "application/pdf")],
        on=ON,
    )
    assert report.files.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "declared", "said"),
    [
        (b"MZ\x90\x00 not a pdf", "bao-cao.pdf", "application/pdf", "không phải là tệp"),
        (PDF, "bao-cao.exe", "application/x-msdownload", "Không chấp nhận tệp kiểu"),
        (b"", "trong.pdf", "application/pdf", "rỗng"),
    ],
)
def test_a_refused_file_writes_nothing(world, settings, content, name, declared, said):
    settings.LANGUAGE_CODE = "vi"
    task = make_task(world)
    before = (Report.objects.count(), ReportFile.objects.count(), AuditEntry.objects.count())
    with pytest.raises(AssignmentError) as caught:
        services.report_progress(
            world.lead_officer.user,
            task,
            text="Đã xây dựng dự thảo.",
            files=[Upload(PDF, "tot.pdf", "application/pdf"), Upload(content, name, declared)],
            on=ON,
        )
    assert said in " ".join(caught.value.message_dict["files"])
    after = (Report.objects.count(), ReportFile.objects.count(), AuditEntry.objects.count())
    assert after == before
    assert _media_files() == []


def test_too_many_files_are_refused(world):
    task = make_task(world)
    uploads = [Upload(PDF, f"{i}.pdf", "application/pdf") for i in range(MAX_FILES + 1)]
    with pytest.raises(AssignmentError):
        services.report_progress(world.lead_officer.user, task, text="x", files=uploads, on=ON)
    assert not Report.objects.exists()


def test_a_refused_act_leaves_no_file_behind(world):
    """The coordinator may not report: the file it sent is not kept either."""
    task = make_task(world)
    with pytest.raises(PermissionDenied, match="đơn vị chủ trì"):
        services.report_progress(
            world.coord.user,
            task,
            text="Báo cáo",
            files=[Upload(PDF, "bc.pdf", "application/pdf")],
            on=ON,
        )
    assert _media_files() == [] and not ReportFile.objects.exists()


def test_the_page_uploads_lists_and_serves_the_file_to_readers_only(client, world):
    task = make_task(world, deadline=date(2099, 3, 31))
    client.force_login(world.lead_officer.user)
    page = client.get(f"/assignments/{task.pk}/", **VI).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="files"' in page
    response = client.post(
        f"/assignments/{task.pk}/report-progress/",
        {
            "text": "Đã lấy ý kiến các bộ.",
            "files": SimpleUploadedFile("Công văn xin ý kiến.pdf", PDF, "application/pdf"),
        },
        **VI,
    )
    assert response.status_code == 302
    row = ReportFile.objects.get()
    page = client.get(f"/assignments/{task.pk}/", **VI).content.decode()
    assert "Công văn xin ý kiến.pdf" in page and f"/assignments/files/{row.pk}/" in page
    download = client.get(f"/assignments/files/{row.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "filename*=utf-8''" in download["Content-Disposition"]
    # The Government Office reads it; a province with no part in the task does not.
    client.force_login(world.clerk.user)
    assert client.get(f"/assignments/files/{row.pk}/").status_code == 200
    client.force_login(world.prov.user)
    assert client.get(f"/assignments/files/{row.pk}/").status_code == 404


def test_the_page_refuses_a_disguised_file_in_vietnamese(client, world):
    task = make_task(world, deadline=date(2099, 3, 31))
    client.force_login(world.lead_officer.user)
    response = client.post(
        f"/assignments/{task.pk}/report-progress/",
        {
            "text": "Đã lấy ý kiến các bộ.",
            "files": SimpleUploadedFile(
                "bao-cao.pdf", b"<html>not a pdf</html>", "application/pdf"
            ),
        },
        **VI,
    )
    assert response.status_code == 400
    assert "không phải là tệp application/pdf" in response.content.decode()
    assert not Report.objects.exists() and _media_files() == []


def test_the_api_lists_a_reports_files(client, world):
    task = make_task(world)
    services.report_progress(
        world.lead_officer.user,
        task,
        text="Đã xây dựng dự thảo.",
        files=[Upload(PDF, "du-thao.pdf", "application/pdf")],
        on=ON,
    )
    client.force_login(world.lead_officer.user)
    body = client.get(f"/api/v1/assignments/{task.pk}/").json()
    (listed,) = body["reports"][0]["files"]
    assert listed["name"] == "du-thao.pdf" and listed["size"] == len(PDF)
    assert listed["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_the_api_takes_files_in_the_json_body(client, world):
    task = make_task(world, deadline=date(2099, 3, 31))
    client.force_login(world.lead_officer.user)
    url = f"/api/v1/assignments/{task.pk}/report-progress/"
    good = {"filename": "bc.pdf", "content_type": "application/pdf"}
    response = client.post(
        url,
        {"text": "Đang làm", "files": [{**good, "content_base64": base64.b64encode(PDF).decode()}]},
        content_type="application/json",
        **VI,
    )
    assert response.status_code == 200, response.content
    assert response.json()["reports"][0]["files"][0]["name"] == "bc.pdf"
    disguised = base64.b64encode(b"<html></html>").decode()
    response = client.post(
        url,
        {"text": "Đang làm", "files": [{**good, "content_base64": disguised}]},
        content_type="application/json",
        **VI,
    )
    assert response.status_code == 400
    assert "không phải là tệp application/pdf" in response.content.decode()
    assert Report.objects.count() == 1 and ReportFile.objects.count() == 1
