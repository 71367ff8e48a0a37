"""The officials' frame and workspace in Chromium: axe-core finds no violations on the workspace
(desk and clerk), the walk-in registration, the tracking book, the exchange's inbox, outbox,
new-document, incoming and sent document pages, and the login page; without JavaScript the
navigation is a plain list of links and the logout still works."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.core.signing import ensure_ca
from egov.exchange.services.hub import packages
from tests.accounts.officials_support import make_official
from tests.browser.conftest import axe_violations
from tests.dossiers.core_support import make_world, walk_in
from tests.exchange.conftest import HUB, make_package, signed

pytestmark = pytest.mark.django_db(transaction=True)


def cookie(user, base_url: str) -> dict:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


@pytest.fixture
def world(transactional_db, settings, tmp_path, live_server):
    """Made before Chromium starts: signing runs an event loop of its own."""
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_PKI_AUTO_CREATE = True
    settings.EGOV_INSTANCE_ORG_CODE = HUB
    ensure_ca()
    w = make_world()
    org_services.create_organisation(OrganisationData(HUB, "Văn phòng Chính phủ", "central"))
    w.dossier = walk_in(w)
    w.clerk_p = make_official("clerk_p", w.p, "clerk").user
    w.clerk_q = make_official("clerk_q", w.q, "clerk").user
    w.package = packages.accept_package(
        signed(make_package(w.p, [w.q], priority=2), w.p), actor=w.clerk_p
    ).package
    w.delivery = w.package.deliveries.get()
    base = live_server.url
    w.cookies = {
        "desk": cookie(w.desk.user, base),
        "clerk_p": cookie(w.clerk_p, base),
        "clerk_q": cookie(w.clerk_q, base),
    }
    return w


def visit(browser, base, who, paths, **options) -> dict:
    context = browser.new_context(locale="vi-VN", **options)
    context.set_default_timeout(10_000)
    if who:
        context.add_cookies([who])
    page = context.new_page()
    found = {}
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state()
        found[path] = axe_violations(page)
    context.close()
    return found


def test_frame_and_workspace_have_no_axe_violations(sync_db, world, live_server, browser):
    base, w = live_server.url, world
    violations = {}
    violations |= visit(browser, base, None, ["/accounts/login/"])
    violations |= visit(
        browser,
        base,
        w.cookies["desk"],
        ["/workspace/", "/one-stop/register/", "/one-stop/tracking-book/", "/one-stop/?due=soon"],
    )
    violations |= visit(
        browser,
        base,
        w.cookies["clerk_q"],
        ["/workspace/", "/exchange/", f"/exchange/inbox/{w.delivery.pk}/"],
    )
    violations |= visit(
        browser,
        base,
        w.cookies["clerk_p"],
        ["/exchange/outbox/", "/exchange/documents/new/", f"/exchange/packages/{w.package.pk}/"],
    )
    # At 375 px the navigation folds behind its menu button (GOV.UK's script).
    violations |= {
        f"{path} (375 px)": v
        for path, v in visit(
            browser,
            base,
            w.cookies["desk"],
            ["/workspace/"],
            viewport={"width": 375, "height": 800},
        ).items()
    }
    assert violations == {k: [] for k in violations}
    connections.close_all()


def test_without_javascript_the_links_and_the_logout_work(sync_db, world, live_server, browser):
    base, w = live_server.url, world
    context = browser.new_context(
        locale="vi-VN", java_script_enabled=False, viewport={"width": 375, "height": 800}
    )
    context.add_cookies([w.cookies["desk"]])
    page = context.new_page()
    page.goto(base + "/workspace/")
    assert page.get_by_role("button", name="Danh mục").count() == 0  # the toggle stays hidden
    page.get_by_role("link", name="Danh sách hồ sơ").click()
    page.wait_for_url("**/one-stop/")
    assert w.dossier.code in page.locator("main").inner_text()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Đăng xuất").count() == 0
    context.close()
    connections.close_all()


@pytest.fixture
def sync_db(monkeypatch):
    """As in test_dossier_journey: the live server answers while Playwright's loop runs here."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
