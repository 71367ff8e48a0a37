"""Content-Disposition built in one place (egov.core.downloads): names from outside cannot add
parameters, break the header or carry a path; Vietnamese names survive (RFC 8187)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import pytest
from django.http import HttpResponse

from egov.core.downloads import content_disposition

EVIL = "a\";filename*=UTF-8''evil.exe;x=\".pdf"


_PARAM = re.compile(r';\s*([A-Za-z*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def saved_as(header: str) -> str:
    """The name a client following RFC 6266 saves: ``filename*`` wins over ``filename``."""
    params: dict[str, str] = {}
    for key, value in _PARAM.findall(header):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params.setdefault(key.lower(), value.strip())
    if "filename*" in params:
        charset, _, encoded = params["filename*"].partition("''")
        return unquote(encoded, encoding=charset)
    return params["filename"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("qd.pdf", "qd.pdf"),
        (EVIL, EVIL),
        ("a\r\nb.pdf", "ab.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\x.pdf", "x.pdf"),
        ("Quyết định số 1.pdf", "Quyết định số 1.pdf"),
        (unicodedata.normalize("NFD", "Quyết định số 1.pdf"), "Quyết định số 1.pdf"),
        ("a\x00b\ud800.pdf", "ab.pdf"),
    ],
)
def test_the_client_saves_exactly_the_cleaned_name(name, expected):
    header = content_disposition(name)
    assert saved_as(header) == expected
    assert header.startswith("attachment; filename=")
    HttpResponse()["Content-Disposition"] = header  # a valid header value (no CR/LF)


def test_one_parameter_of_each_kind_and_an_ascii_fallback():
    header = content_disposition("Quyết định số 1.pdf", attachment=False)
    assert header == (
        'inline; filename="Quyet dinh so 1.pdf"; '
        "filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%201.pdf"
    )
    evil = content_disposition(EVIL)
    assert evil.count("filename=") == 1 and evil.count("filename*=") == 1
    assert "evil.exe;" not in evil
