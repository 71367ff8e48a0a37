"""Vietnamese first: every message has a translation, and the compiled catalogue is current."""

from pathlib import Path

import polib
import pytest

import egov

# Every app keeps its own catalogue: src/egov/<app>/locale/vi/LC_MESSAGES/django.po.
CATALOGUES = sorted(Path(egov.__file__).parent.glob("*/locale/vi/LC_MESSAGES/django.po"))


def _translations(entries):
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in entries
    }


def test_there_are_catalogues():
    assert CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_message_is_translated(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    assert untranslated == []
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_compiled_catalogue_matches_the_source(po_path):
    po = [e for e in polib.pofile(str(po_path)) if not e.obsolete and e.msgid]
    mo = [e for e in polib.mofile(str(po_path.with_suffix(".mo"))) if e.msgid]
    assert _translations(mo) == _translations(po), "recompile: django-admin compilemessages"


@pytest.mark.django_db
def test_pages_are_vietnamese_by_default_and_english_on_request(client):
    assert "Dịch vụ công trực tuyến" in client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Online public services" in english
    page = client.get("/").content.decode()
    assert 'href="#main"' in page and 'lang="vi"' in page
