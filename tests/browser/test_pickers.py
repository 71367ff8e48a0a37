"""Pick by name in Chromium (issue 13): the desk finds the walk-in's procedure and the clerk the
document's recipients as they type (htmx, no reload); axe-core finds no violations on both
pages. The paths without JavaScript are tested in tests/dossiers/test_walk_in.py and
tests/exchange/test_picker.py."""

from __future__ import annotations

import pytest
from django.db import connections

from tests.accounts.officials_support import make_official
from tests.browser.conftest import axe_violations
from tests.browser.test_dossier_journey import official_login
from tests.dossiers.core_support import make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_procedures_and_recipients_are_found_by_name_as_one_types(
    live_server, browser, monkeypatch
):
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    w = make_world()
    make_official("clerk_p", w.p, "clerk")
    base = live_server.url
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(10_000)

    desk = context.new_page()
    official_login(desk, base, "desk_a")
    desk.goto(base + "/one-stop/register/")
    desk.get_by_label("Tìm thủ tục theo tên").press_sequentially("xac nhan", delay=30)
    link = desk.locator("#procedure-results a", has_text="Thủ tục thử nghiệm cấp giấy xác nhận")
    expect(link).to_be_visible()
    assert desk.url == base + "/one-stop/register/"  # no reload: htmx swapped the list in
    assert axe_violations(desk) == []
    link.click()
    desk.wait_for_load_state()
    expect(desk.locator('[name="applicant_name"]')).to_be_visible()
    assert axe_violations(desk) == []

    clerk_context = browser.new_context(locale="vi-VN")
    clerk_context.set_default_timeout(10_000)
    clerk = clerk_context.new_page()
    official_login(clerk, base, "clerk_p")
    clerk.goto(base + "/exchange/documents/new/")
    clerk.get_by_label("Tìm cơ quan theo tên").press_sequentially("xa b", delay=30)
    box = clerk.get_by_label("Xã B", exact=True)
    expect(box).to_be_visible()
    box.check()
    clerk.get_by_label("Tìm cơ quan theo tên").fill("")
    clerk.get_by_label("Tìm cơ quan theo tên").press_sequentially("tinh q", delay=30)
    expect(clerk.get_by_label("Tỉnh Q", exact=True)).to_be_visible()
    expect(clerk.get_by_label("Xã B", exact=True)).to_be_checked()  # kept across searches
    assert axe_violations(clerk) == []
    context.close()
    clerk_context.close()
    connections.close_all()
