"""The ratings' pages in Chromium: axe-core finds no violations on the citizen's dossier page
with its rating section, the rating form (empty, and after an error), the officials' list and
one dossier's rating, and the public aggregates."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from egov.ratings import services
from tests.browser.conftest import axe_violations
from tests.browser.test_workspace import sync_db  # noqa: F401 - the fixture
from tests.dossiers.core_support import make_world
from tests.dossiers.web_support import citizen_login
from tests.ratings.conftest import data, ensure_criteria, returned

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(client, base):
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}


@pytest.fixture
def world(transactional_db, live_server):
    ensure_criteria()
    w = make_world()
    w.unrated = returned(w)
    w.rated = returned(w)
    services.rate(
        w.rated,
        actor=w.citizen.user,
        data=data(2, disliked=True, dislike_reason="Chậm", comment="Cần nhanh hơn"),
    )
    base = live_server.url
    citizen = Client()
    citizen_login(citizen, w.citizen)
    desk = Client()
    desk.force_login(w.desk.user)
    w.cookies = {"citizen": _cookie(citizen, base), "desk": _cookie(desk, base)}
    return w


def _visit(browser, base, who, paths, *, submit_empty=None) -> dict:
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(10_000)
    if who:
        context.add_cookies([who])
    page = context.new_page()
    found = {}
    for path in paths:
        response = page.goto(base + path)
        page.wait_for_load_state()
        assert response.status == 200 and page.url == base + path, (path, page.url)
        found[path] = axe_violations(page)
        if path == submit_empty:
            with page.expect_navigation():
                page.get_by_role("button", name="Gửi đánh giá").click()
            assert page.locator(".govuk-error-summary").count() == 1
            found[path + " (errors)"] = axe_violations(page)
    context.close()
    return found


def test_rating_pages_have_no_axe_violations(sync_db, world, live_server, browser):  # noqa: F811
    base, w = live_server.url, world
    form = f"/ratings/dossiers/{w.unrated.code}/"
    violations = _visit(
        browser,
        base,
        w.cookies["citizen"],
        [f"/my/dossiers/{w.unrated.code}/", f"/ratings/dossiers/{w.rated.code}/", form],
        submit_empty=form,
    )
    violations |= _visit(
        browser,
        base,
        w.cookies["desk"],
        ["/ratings/", f"/ratings/dossiers/{w.rated.code}/official/"],
    )
    violations |= _visit(
        browser, base, None, ["/ratings/public/", f"/ratings/public/?organisation={w.a.code}"]
    )
    assert violations == {k: [] for k in violations}
    connections.close_all()
