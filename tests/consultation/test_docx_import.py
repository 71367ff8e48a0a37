"""A draft imported from a Word file: a .docx built here with python-docx (from the text's
structure, not by our exporter) gives the same units as the same text typed; a file that is
not a .docx is refused in Vietnamese with nothing written."""

import base64
import io
import zipfile

import pytest
from docx import Document

from egov.consultation.models import Draft, DraftVersion
from egov.core.models import AuditEntry

from .conftest import TEXT_V1, TEXT_V2

API = "/api/v1/consultation"
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _docx(text: str) -> str:
    """One paragraph per line, articles in a heading style and the title centred and bold, as
    a drafter's Word file would have them."""
    doc = Document()
    for line in text.splitlines():
        if line.startswith("Điều "):
            doc.add_heading(line, level=2)
        elif line.isupper():
            doc.add_paragraph().add_run(line).bold = True
        else:
            doc.add_paragraph(line)
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "Điều 99. Bảng: không phải văn bản"
    buf = io.BytesIO()
    doc.save(buf)
    return base64.b64encode(buf.getvalue()).decode()


def _units(code, number):
    return [
        (u["anchor"], u["heading"], u["text"])
        for u in DraftVersion.objects.get(draft__code=code, number=number).units.values(
            "anchor", "heading", "text"
        )
    ]


def _new(client, world, **body):
    return client.post(
        f"{API}/drafts/",
        {"organisation": world.m.code, "title": "Dự thảo", "doc_type": "decree", **body},
        content_type="application/json",
        **VI,
    )


def test_a_draft_and_its_next_version_from_docx(client, world):
    client.force_login(world.drafter)
    typed = _new(client, world, text=TEXT_V1).json()["code"]
    made = _new(client, world, docx=_docx(TEXT_V1))
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert _units(code, 1) == _units(typed, 1)
    assert len(_units(code, 1)) == 11
    entry = AuditEntry.objects.filter(action="consultation.draft.create").last()
    assert entry.summary["source"] == "docx" and entry.summary["units"] == 11

    version = client.post(
        f"{API}/drafts/{code}/versions/", {"docx": _docx(TEXT_V2)}, content_type="application/json"
    )
    assert version.status_code == 201 and version.json()["number"] == 2
    changes = client.get(f"{API}/drafts/{code}/compare/?from=1&to=2").json()
    assert {c["anchor"]: c["change"] for c in changes}["dieu-3.khoan-2.diem-c"] == "added"
    entry = AuditEntry.objects.get(action="consultation.draft.version")
    assert entry.summary["source"] == "docx" and entry.summary["added"] == 1


def _zip(**members) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return base64.b64encode(buf.getvalue()).decode()


NOT_DOCX = "Tệp không phải là văn bản Word (.docx)."


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"docx": base64.b64encode(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj").decode()}, "docx", NOT_DOCX),
        ({"docx": _zip(readme__txt="Điều 1. Xin chào")}, "docx", NOT_DOCX),
        (  # a ZIP that names a document part but is not a Word package
            {"docx": _zip(**{"[Content_Types].xml": "<Types/>", "word__document.xml": "<x/>"})},
            "docx",
            NOT_DOCX,
        ),
        ({"docx": base64.b64encode(b"PK\x03\x04 cut short").decode()}, "docx", NOT_DOCX),
        ({"docx": "không phải base64!"}, "docx", "Tệp không đúng định dạng base64."),
        ({"docx": _docx("Chỉ có lời nói đầu")}, "text", "không có điều nào"),
        ({"docx": _docx(TEXT_V1), "text": TEXT_V1}, "text", "chỉ một trong hai"),
        ({}, "text", "chỉ một trong hai"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(client, world, body, field, message):
    client.force_login(world.drafter)
    audits = AuditEntry.objects.count()
    refused = _new(client, world, **body)
    assert refused.status_code == 400, refused.content
    errors = refused.json()
    text = " ".join(errors.get(field) or errors.get("errors", {}).get(field, []) or [str(errors)])
    assert message.lower() in text.lower(), errors
    assert not Draft.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_a_bad_file_leaves_the_draft_as_it_was(client, world):
    client.force_login(world.drafter)
    code = _new(client, world, text=TEXT_V1).json()["code"]
    refused = client.post(
        f"{API}/drafts/{code}/versions/",
        {"docx": base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()},
        content_type="application/json",
        **VI,
    )
    assert refused.status_code == 400 and NOT_DOCX in str(refused.json())
    assert DraftVersion.objects.filter(draft__code=code).count() == 1


def test_only_the_drafting_agency_imports(client, world):
    client.force_login(world.outsider)
    refused = _new(client, world, docx=_docx(TEXT_V1))
    assert refused.status_code == 403
    assert not Draft.objects.exists()
