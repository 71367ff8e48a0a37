"""The API reference and the OpenAPI document read in the request's language (issue 13)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_docs_page_follows_the_request_language(client):
    vi = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Danh sách cơ quan, đơn vị" in vi and "List organisations" not in vi
    # The acts' summaries are their labels.
    assert "Phê duyệt" in vi
    en = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "List organisations" in en and "Danh sách cơ quan, đơn vị" not in en
    assert "Approve" in en
    # ?lang= chooses, as on /api/v1/schema/.
    chosen = client.get("/api/v1/docs/", {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert "List organisations" in chosen.content.decode()
    assert chosen["Content-Language"] == "en" and '<html lang="en"' in chosen.content.decode()


def test_schema_follows_accept_language_and_lang(client):
    vi = client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Số nguyên duy nhất xác định gói tin trạng thái này." in vi
    assert "identifying this" not in vi
    en = client.get("/api/v1/schema/", {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="vi")
    text = en.content.decode()
    assert "A unique integer value identifying this status message." in text
    assert "gói tin trạng thái" not in text and "Danh sách cơ quan" not in text


VIETNAMESE = re.compile("[ạảãàáâậầấẩẫăắằặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữịỉìíĩọỏòóõụủùúũỳýỵỷỹ]", re.I)


def test_every_operation_text_on_the_vietnamese_page_is_vietnamese(client):
    page = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    summaries = re.findall(r'<p class="govuk-body">([^<]+)</p>', page)
    # The parameters' table: name, where ("query", "path", "header"), description.
    descriptions = re.findall(
        r'<td class="govuk-table__cell">[^<]*</td><td class="govuk-table__cell">([^<]+)</td>', page
    )
    assert len(summaries) > 80 and len(descriptions) > 10
    english = [text for text in summaries + descriptions if not VIETNAMESE.search(text)]
    assert english == []
