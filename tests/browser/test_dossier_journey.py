"""The one-stop journey in Chromium: a citizen applies online and follows the dossier (my dossier
page, public lookup); an official logs in (password + TOTP), receives it from the queue, processes,
approves, attaches the signed result and returns it; the citizen then sees the result. axe-core
finds no violations on those pages (and the on-time counts page); the lookup works without
JavaScript. Served by pytest-django's live server."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from egov.accounts import totp
from egov.dossiers.models import Dossier, Status
from tests.accounts.officials_support import PASSWORD
from tests.browser.conftest import axe_violations
from tests.dossiers.core_support import PDF, make_world
from tests.dossiers.web_support import citizen_login, small_signed_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def citizen_cookie(citizen, base_url: str) -> dict:
    client = Client()
    citizen_login(client, citizen)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def official_login(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/accounts/login/code/")
    secret = page.locator("figcaption code").inner_text().strip()
    page.fill("input[name=code]", totp.code(secret, at=time.time()))
    page.locator("main button[type=submit]").last.click()
    page.wait_for_load_state()


def confirm(page, act: str, **fields) -> None:
    form = page.locator(f"form.act-{act}")
    box = page.locator(f"details:has(form.act-{act})")
    if box.get_attribute("open") is None:
        box.locator("summary").click()  # the acts are folded; no JavaScript needed
    for name, value in fields.items():
        if name == "result":
            form.locator("input[name=result]").set_input_files(value)
        else:
            form.locator(f"[name={name}]").fill(value)
    form.locator(f"button[name=submit-{act}]").click()
    page.wait_for_load_state()


@pytest.fixture
def sync_db_with_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the test reads the database
    between page steps (the live server answers from its own thread). Connections opened
    inside that loop belong to its context: the test closes them itself (see the end of the
    test), else PostgreSQL refuses to drop the test database."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def signed_result(tmp_path):
    """The electronic result, signed by Xã B before Chromium starts (pyHanko runs its own event
    loop, which cannot run inside Playwright's)."""
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(small_signed_pdf(SimpleNamespace(code="000.00.02.H26", name="Xã B")))
    return path


def test_citizen_applies_official_returns_result_no_axe_violations(
    sync_db_with_playwright, signed_result, live_server, browser, tmp_path
):
    from playwright.sync_api import expect

    w = make_world()
    base = live_server.url
    violations = {}
    docs = list(w.version.required_documents.order_by("order", "id"))
    upload = tmp_path / "to-khai.pdf"
    upload.write_bytes(PDF)

    # --- The citizen applies online (Xã B: its official holds desk, processor and approver).
    context = browser.new_context(locale="vi-VN")
    context.add_cookies([citizen_cookie(w.citizen, base)])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(base + "/procedures/9.000001/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến (đăng nhập)").click()
    page.wait_for_url("**/procedures/9.000001/submit/")
    violations["submit"] = axe_violations(page)
    # With htmx the communes follow the province without a reload (issue 13).
    page.get_by_label("Tỉnh, thành phố", exact=True).first.select_option(w.p.code)
    page.locator(f'#agency option[value="{w.b.code}"]').wait_for(state="attached")
    page.locator("#agency").select_option(w.b.code)
    # ... and the expected date follows the chosen agency, still without a reload.
    expect(page.locator("dd.expected-due")).to_contain_text("/20")
    for path, value in {
        "applicant.full_name": "Nguyễn Văn An",
        "applicant.personal_id": "001099012345",
        "applicant.phone": "0912345678",
        "request": "Xin cấp giấy xác nhận",
    }.items():
        field = page.locator(f'[name="{path}"]')
        if field.count() and field.is_editable():  # the e-ID's name and number are fixed
            field.fill(value)
    province = page.locator('[name="applicant.residence.province"]')
    if province.count():
        province.select_option(w.p.code)
        page.locator('button[name="_show_communes"][value="applicant.residence.province"]').click()
        page.wait_for_load_state()
        page.locator('[name="applicant.residence.commune"]').select_option(w.b.code)
    page.locator(f"#doc-{docs[0].pk}").set_input_files(str(upload))
    assert page.locator('[name="applicant.personal_id"]').input_value() == "001099012345"
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/my/dossiers/*/?submitted=1")
    violations["my_dossier"] = axe_violations(page)
    dossier = Dossier.objects.get(applicant_citizen=w.citizen)
    assert dossier.organisation == w.b and dossier.status == Status.NEW
    assert dossier.code in page.locator("h1").inner_text()

    page.goto(base + f"/lookup/?code={dossier.code}")
    page.get_by_label("Số định danh hoặc mã số thuế của người nộp").fill("001099012345")
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_load_state()
    assert page.locator("dd.dossier-status").inner_text() == "Mới"
    violations["lookup"] = axe_violations(page)
    assert "Nguyễn Văn An" not in page.locator("main").inner_text()

    # --- The official: queue, receive (bulk), process, approve, result, return.
    staff = browser.new_context(locale="vi-VN")
    staff.set_default_timeout(10_000)
    desk = staff.new_page()
    official_login(desk, base, "desk_b")
    desk.goto(base + "/one-stop/")
    violations["queue"] = axe_violations(desk)
    desk.locator(f'input[name=dossier][value="{dossier.code}"]').check()
    desk.locator("#bulk-act").select_option("receive")
    desk.get_by_role("button", name="Áp dụng").click()
    desk.wait_for_load_state()
    desk.goto(base + f"/one-stop/d/{dossier.code}/")
    violations["dossier"] = axe_violations(desk)
    confirm(desk, "start_processing")
    confirm(desk, "forward")
    confirm(desk, "attach_result", result=str(signed_result), name="Giấy xác nhận", number="12")
    confirm(desk, "approve")
    confirm(desk, "return_result")
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_RETURNED
    assert re.search(r"10\.\s", desk.locator("dd.dossier-status").inner_text())
    violations["dossier_done"] = axe_violations(desk)
    history = desk.locator("table.history tbody tr").count()
    assert history >= 6
    desk.goto(base + "/one-stop/on-time/")
    violations["on_time"] = axe_violations(desk)

    # --- The citizen follows it to the end and sees the result.
    page.goto(base + "/my/dossiers/")
    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_load_state()
    assert page.locator("dd.dossier-status").inner_text() == "Đã trả kết quả"
    assert page.get_by_role("link", name="Giấy xác nhận").count() == 1
    violations["my_dossier_done"] = axe_violations(page)
    assert violations == {k: [] for k in violations}

    # Without JavaScript the public lookup still works (plain form post).
    plain = browser.new_context(java_script_enabled=False, locale="vi-VN")
    lookup = plain.new_page()
    lookup.goto(base + f"/lookup/?code={dossier.code}")
    lookup.fill("#lookup-id", "001099012345")
    lookup.get_by_role("button", name="Tra cứu").click()
    lookup.wait_for_load_state()
    assert lookup.locator("dd.dossier-status").inner_text() == "Đã trả kết quả"
    plain.close()
    context.close()
    staff.close()
    connections.close_all()
