"""Attachments through the API: sent as base64 (JSON) or as parts (multipart), checked by their
content as a dossier's files are, and downloaded only by those who may read the petition."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.petitions.models import Attachment, Petition

from ..dossiers.web_support import citizen_login
from .conftest import PDF, at_commune

pytestmark = pytest.mark.django_db

BODY = {"title": "Đường ngập", "content": "Mưa là ngập.", "category": "regulations"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _client(user=None, citizen=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    if citizen is not None:
        citizen_login(client, citizen)
    elif user is not None:
        client.force_login(user)
    return client


def _file(content, name="anh.pdf", kind="application/pdf"):
    return {
        "filename": name,
        "content_type": kind,
        "content_base64": base64.b64encode(content).decode(),
    }


def _submit(client, *files):
    body = {**BODY, "files": list(files)}
    return client.post("/api/v1/petitions/", body, content_type="application/json")


def test_submitted_as_json_and_downloaded_by_its_readers(world):
    submitter = _client(citizen=world.citizen)
    response = _submit(submitter, _file(PDF), _file(PNG, "so-do.png", "image/png"))
    assert response.status_code == 201, response.content
    files = response.json()["attachments"]
    assert [(f["number"], f["name"], f["content_type"]) for f in files] == [
        (1, "anh.pdf", "application/pdf"),
        (2, "so-do.png", "image/png"),
    ]
    assert files[1]["sha256"] == hashlib.sha256(PNG).hexdigest()
    download = submitter.get(files[1]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG
    # Once forwarded, commune A reads it; commune B and another citizen do not.
    petition = at_commune(world, Petition.objects.get(code=response.json()["code"]))
    assert _client(user=world.proc_a.user).get(files[0]["url"]).status_code == 200
    for outsider in (_client(user=world.lead_b.user), _client(citizen=world.other), _client()):
        assert outsider.get(files[0]["url"]).status_code in {401, 403, 404}
    missing = f"/api/v1/petitions/{petition.code}/attachments/3/"
    assert submitter.get(missing).status_code == 404
    assert submitter.get(f"/api/v1/petitions/{petition.code}/attachments/0/").status_code == 404


def test_submitted_as_multipart(world):
    client = _client(citizen=world.citizen)
    response = client.post(
        "/api/v1/petitions/",
        {**BODY, "files": [SimpleUploadedFile("to-trinh.pdf", PDF, "application/pdf")]},
    )
    assert response.status_code == 201, response.content
    assert [f["name"] for f in response.json()["attachments"]] == ["to-trinh.pdf"]
    assert Attachment.objects.get().file.read() == PDF


@pytest.mark.parametrize(
    ("file", "said"),
    [
        (_file(b"MZ\x90\x00" + b"\x00" * 40, "thu.pdf"), "không phải"),  # a program as a PDF
        (_file(PDF, "thu.png", "image/png"), "không phải"),  # a PDF called a PNG
        (_file(PDF, "thu.exe", "application/x-msdownload"), "Không chấp nhận"),
    ],
)
def test_a_disguised_file_is_a_400_and_nothing_is_written(world, file, said):
    response = _submit(_client(citizen=world.citizen), file)
    assert response.status_code == 400, response.content
    assert said in " ".join(response.json()["fields"]["files"])
    assert not Petition.objects.exists() and not Attachment.objects.exists()


def test_an_oversize_file_is_a_400_saying_the_limit(world, settings):
    settings.EGOV_DOSSIER_MAX_FILE_BYTES = len(PDF) + 10
    client = _client(citizen=world.citizen)
    response = _submit(client, _file(PDF + b"0" * 100))
    assert response.status_code == 400
    assert "lớn hơn" in " ".join(response.json()["fields"]["files"])
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * 100, "application/pdf")
    response = client.post("/api/v1/petitions/", {**BODY, "files": [big]})
    assert response.status_code == 400
    assert "lớn hơn" in " ".join(response.json()["fields"]["files"])
    assert not Petition.objects.exists()


def test_bad_base64_is_a_400(world):
    bad = {"filename": "a.pdf", "content_type": "application/pdf", "content_base64": "%%%"}
    response = _submit(_client(citizen=world.citizen), bad)
    assert response.status_code == 400 and "files.0" in response.json()["fields"]
    assert not Petition.objects.exists()


def test_a_supplement_brings_files(world):
    from egov.petitions import services

    petition = at_commune(world)
    services.request_supplement(world.desk_a.user, petition, reason="Thiếu ảnh")
    client = _client(citizen=world.citizen)
    url = f"/api/v1/petitions/{petition.code}/supplement/"
    response = client.post(url, {"files": [_file(PNG, "anh.png", "image/png")]}, "application/json")
    assert response.status_code == 200, response.content
    [row] = response.json()["attachments"]
    assert row["supplement"] is True
    assert b"".join(client.get(row["url"]).streaming_content) == PNG
