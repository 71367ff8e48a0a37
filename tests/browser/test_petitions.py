"""The petitions' pages in Chromium: axe-core finds no violations on the submitter's pages (new
petition with search results, my petitions, one petition), the handlers' queue and petition page,
and the public list and page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from egov.core.signing import ensure_ca
from egov.petitions import services
from tests.browser.conftest import axe_violations
from tests.browser.test_workspace import sync_db  # noqa: F401 - the fixture
from tests.dossiers.web_support import citizen_login
from tests.petitions.conftest import CENTRE, at_commune, submitted
from tests.petitions.conftest import world as petitions_world

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(client, base):
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}


@pytest.fixture
def world(transactional_db, settings, tmp_path, live_server):
    """Made before Chromium starts: signing runs an event loop of its own."""
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_PKI_AUTO_CREATE = True
    settings.EGOV_INSTANCE_ORG_CODE = CENTRE
    ensure_ca()
    w = petitions_world.__wrapped__(None)
    w.handled = at_commune(w)
    w.received = submitted(w)
    w.published = at_commune(w)
    services.answer(w.lead_a.user, w.published, text="Xã đã xử lý.")
    services.publish(w.lead_a.user, w.published)
    base = live_server.url
    citizen = Client()
    citizen_login(citizen, w.citizen)
    lead = Client()
    lead.force_login(w.lead_a.user)
    centre = Client()
    centre.force_login(w.centre_desk.user)
    w.cookies = {
        "citizen": _cookie(citizen, base),
        "lead": _cookie(lead, base),
        "centre": _cookie(centre, base),
    }
    return w


def visit(browser, base, who, paths) -> dict:
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(10_000)
    if who:
        context.add_cookies([who])
    page = context.new_page()
    found = {}
    for path in paths:
        response = page.goto(base + path)
        page.wait_for_load_state()
        # The page itself, not a login page it redirected to.
        assert response.status == 200 and page.url == base + path, (path, page.url)
        found[path] = axe_violations(page)
    context.close()
    return found


def test_petition_pages_have_no_axe_violations(sync_db, world, live_server, browser):  # noqa: F811
    base, w = live_server.url, world
    violations = {}
    violations |= visit(
        browser,
        base,
        w.cookies["citizen"],
        [
            "/petitions/new/",
            "/petitions/mine/",
            f"/petitions/mine/{w.handled.code}/",
            f"/petitions/mine/{w.published.code}/",
        ],
    )
    violations |= visit(
        browser,
        base,
        w.cookies["lead"],
        ["/petitions/handling/", f"/petitions/handling/{w.handled.code}/", "/workspace/"],
    )
    violations |= visit(
        browser,
        base,
        w.cookies["centre"],
        [f"/petitions/handling/{w.received.code}/?organisation_q=xa"],
    )
    violations |= visit(
        browser, base, None, ["/petitions/", f"/petitions/published/{w.published.code}/"]
    )
    assert violations == {k: [] for k in violations}
    connections.close_all()
