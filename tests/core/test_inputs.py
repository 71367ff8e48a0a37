"""Bad text at the edge (egov.core.inputs): a NUL byte or a lone surrogate is refused with a 400
and a message on every text input, before anything is written; accepted text is kept in NFC;
JSON bodies too deep or too large get the API's JSON error."""

from __future__ import annotations

import json
import unicodedata
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from egov.core import inputs
from egov.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organisations/"
TOKEN = "/api/v1/oauth/token"
NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
# JSON escapes json.loads accepts: a NUL, lone surrogates (high, low, high at the end).
BAD_JSON = ['"\\u0000"', '"\\ud800"', '"a\\udfffb"', '"x\\ud83d"']
BAD_TEXT = ["\x00", "a\x00b", "\ud800", "a\udfffb"]


def _vietnamese(response) -> str:
    body = response.json()
    return body.get("message") or body["error_description"]


def _unreadable(response) -> bool:
    """The token endpoint's refusal of a body it cannot read, in OAuth's shape (RFC 6749 §5.2;
    elsewhere the API's parse_error)."""
    return response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("value", ["%00", "a%00b"])
def test_a_nul_in_the_query_string_is_refused_by_the_api(client, value):
    response = client.get(f"{ORGS}?name={value}", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_text" and body["fields"] == {"name": [body["message"]]}
    assert "không thể lưu" in body["message"]


@pytest.mark.parametrize("path", ["/api/v1/organisations/%00/", "/one-stop/d/a%00b/"])
def test_a_nul_in_the_path_is_refused(client, path):
    response = client.get(path)
    assert response.status_code == 400


def test_a_nul_in_the_query_string_of_a_page_is_a_400_page(client):
    response = client.get("/?q=a%00b", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "không thể lưu" in response.content.decode()


@pytest.mark.parametrize("escape", BAD_JSON)
@pytest.mark.parametrize("where", ["value", "key", "nested"])
def test_bad_escapes_in_a_json_body_are_refused(client, escape, where):
    body = {
        "value": f'{{"grant_type": {escape}}}',
        "key": f'{{{escape}: "x"}}',
        "nested": f'{{"grant_type": "client_credentials", "x": [{{"y": [{escape}]}}]}}',
    }[where]
    before = AuditEntry.objects.count()
    response = client.post(TOKEN, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi")
    assert _unreadable(response)
    assert response["Content-Type"] == "application/json"
    assert "không thể lưu" in _vietnamese(response)
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("value", ["a\x00b", "\x00"])
def test_a_nul_in_api_form_data_is_refused(client, value):
    data = urlencode({"grant_type": "client_credentials", "client_id": value})
    response = client.post(TOKEN, data, content_type="application/x-www-form-urlencoded")
    assert _unreadable(response)


@pytest.mark.parametrize(
    "data",
    [{"a": "x\x00"}, {"a\x00": "x"}],
)
def test_the_api_multipart_parser_refuses_nul(data):
    request = Request(APIRequestFactory().post("/x", data), parsers=[inputs.MultiPartParser()])
    with pytest.raises(ParseError):
        request.data  # noqa: B018


def test_the_api_multipart_parser_cleans_file_names():
    upload = SimpleUploadedFile("../../Quye\u0302\u0301t.pdf", b"%PDF-1.4")
    request = Request(
        APIRequestFactory().post("/x", {"f": upload}), parsers=[inputs.MultiPartParser()]
    )
    assert request.FILES["f"].name == "Quyết.pdf"


@pytest.mark.parametrize("value", ["a\x00b", "\x00"])
def test_a_nul_in_a_page_form_is_a_400_page_and_nothing_is_written(client, value):
    before = AuditEntry.objects.count()
    response = client.post(
        "/accounts/login/", {"username": value, "password": "x"}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    assert "không thể lưu" in response.content.decode()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("text", BAD_TEXT)
def test_clean_text_refuses_nul_and_lone_surrogates(text):
    with pytest.raises(inputs.BadText):
        inputs.clean_text(text)


def test_clean_text_keeps_surrogate_pairs_and_composes_to_nfc():
    assert inputs.clean_data(json.loads('"\\ud83d\\ude00"')) == "\U0001f600"
    assert inputs.clean_text(NFD_NAME) == "Nguyễn Thị Ánh" != NFD_NAME
    assert inputs.clean_data({NFD_NAME: [NFD_NAME]}) == {"Nguyễn Thị Ánh": ["Nguyễn Thị Ánh"]}


def test_nfd_in_the_query_string_is_searched_as_nfc(client):
    from egov.core.services import organisations as svc
    from egov.core.services.organisations import OrganisationData

    svc.create_organisation(OrganisationData("000.00.00.H26", "Thành phố Hà Nội", "province"))
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    response = client.get(ORGS, {"name": nfd, "valid_on": "any"})
    assert [row["name"] for row in response.json()["results"]] == ["Thành phố Hà Nội"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("a\r\nb.pdf", "ab.pdf"),
        ("a\u202eFDP.exe", "aFDP.exe"),
        (unicodedata.normalize("NFD", "Quyết định số 1.pdf"), "Quyết định số 1.pdf"),
        ("..", "file"),
        ("", "file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_clean_filename(name, expected):
    assert inputs.clean_filename(name) == expected


def test_a_json_body_nested_50000_deep_gets_the_json_error(client):
    body = "[" * 50_000 + "]" * 50_000
    response = client.post(TOKEN, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi")
    assert _unreadable(response)


def test_a_json_body_nested_100_deep_is_refused_too(client):
    body = '{"grant_type": ' + "[" * 100 + "]" * 100 + "}"
    response = client.post(TOKEN, body, content_type="application/json")
    assert _unreadable(response)


def test_a_25_mb_json_body_gets_the_json_413(client):
    body = '{"grant_type": "' + "a" * (25 * 1024 * 1024) + '"}'
    response = client.post(TOKEN, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "20 MB" in response.json()["message"]
