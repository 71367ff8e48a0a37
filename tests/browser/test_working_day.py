"""A whole working day in Chromium, through the pages only (issue 13 §5), on the demo data.

A citizen logs in with the e-ID (the development provider, on Node) and applies for a birth
registration with the form her e-ID prefilled (the vouched fields read-only); the one-stop desk
(``motcua``, password + TOTP) lands on its workspace, finds the dossier and receives it, giving it
to the specialist (``chuyenvien``), who forwards it to the approver (``lanhdao``), who approves
and signs the result generated from the template; the desk returns it; the citizen downloads it,
and its signature is checked by pyHanko against the development CA and by poppler's pdfsig. Then
the province's clerk (``vanthu``) signs a letter and sends it to an agency picked by name.
axe-core finds no violations on any page the day touches (collected per page, asserted at the
end). After the demo data and the provider are set up, nothing but the pages is used.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from egov.accounts.demo import DEMO_OFFICIAL_PASSWORD, DEMO_PROVINCE
from tests.accounts.oidc_support import CITIZEN_1, EGOV_CLIENT, start_provider
from tests.browser.conftest import axe_violations
from tests.core.signing_support import assert_pdfsig_shows, assert_valid_by_pyhanko
from tests.core.test_signing_personal import page_pdf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PROCEDURE = "1.001193"  # birth registration, in the demo catalogue (with its workflow steps)


def in_thread(fn, *args, **kwargs):
    """pyHanko runs an event loop of its own, which cannot run inside Playwright's."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


@pytest.fixture
def day(transactional_db, settings, live_server, monkeypatch, tmp_path):
    """The demo data and the e-ID provider, made before Chromium starts."""
    from django.core.management import call_command

    from egov.accounts.oidc import provider as oidc
    from egov.core.models import Organisation
    from egov.core.signing import ensure_ca

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_dossier_journey
    settings.EGOV_PKI_AUTO_CREATE = True
    ensure_ca()
    call_command("load_demo", verbosity=0)
    started, capture = start_provider(live_server.url)
    settings.EGOV_OIDC_PROVIDER = "external"
    settings.EGOV_OIDC_ISSUER = started.issuer
    settings.EGOV_OIDC_CLIENT_ID, settings.EGOV_OIDC_CLIENT_SECRET = EGOV_CLIENT
    oidc.clear_cache()
    province = Organisation.objects.get(code=DEMO_PROVINCE, valid_to__isnull=True)
    commune = (
        Organisation.objects.filter(parent=province, level="commune", valid_to__isnull=True)
        .order_by("code")
        .first()
    )
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(page_pdf("Giay chung sinh"))
    letter = tmp_path / "cong-van.pdf"
    letter.write_bytes(page_pdf("Cong van"))
    try:
        yield {"province": province.name, "commune": commune.name, "scan": scan, "letter": letter}
    finally:
        oidc.clear_cache()
        started.process.terminate()
        started.process.wait(timeout=10)
        capture.shutdown()


class Day:
    """The pages visited, each with what axe-core found there."""

    def __init__(self):
        self.violations: dict[str, list] = {}
        self.pages: list = []

    def where(self) -> str:
        """Each person's page when a step fails: its address and what it says."""
        return "\n\n".join(
            f"{page.url}\n{page.locator('main').inner_text()[:1500]}"
            for page in self.pages
            if not page.is_closed()
        )

    def axe(self, page, name: str) -> None:
        """axe-core on the page as it is now, kept under "<n>. <what> (<path>)"."""
        page.wait_for_load_state()
        path = "/" + page.url.split("//", 1)[-1].split("/", 1)[-1]
        self.violations[f"{len(self.violations) + 1}. {name} ({path})"] = axe_violations(page)


def official_login(page, base: str, username: str, day: Day) -> None:
    """Password, then the authenticator's code (enrolled at this first login)."""
    from egov.accounts import totp

    page.goto(base + "/accounts/login/")
    day.axe(page, "login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_OFFICIAL_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/accounts/login/code/")
    day.axe(page, "login code")
    secret = page.locator("figcaption code").inner_text().strip()
    page.fill("input[name=code]", totp.code(secret))
    page.locator("main button[type=submit]").last.click()
    page.wait_for_url("**/workspace/")


def act(page, seen: Day, which: str, /, **fields) -> None:
    """Open the act's folded form, fill it (selects by their visible names), confirm; axe-core
    on the page that follows."""
    form = page.locator(f"form.act-{which}")
    box = page.locator(f"details:has(form.act-{which})")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for field, value in fields.items():
        control = form.locator(f"[name={field}]")
        if control.evaluate("e => e.tagName") == "SELECT":  # an official: by name and title
            control.select_option(control.locator("option", has_text=value).get_attribute("value"))
        elif control.get_attribute("type") in ("checkbox", "radio"):
            form.get_by_label(value).check()
        else:
            control.fill(value)
    with page.expect_navigation():  # the act posts, then comes back to the dossier's page
        form.locator(f"button[name=submit-{which}]").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    seen.axe(page, f"after {which}")


def test_a_working_day_through_the_pages(day, live_server, browser, tmp_path):
    seen = Day()
    try:
        result = walk(day, live_server.url, browser, seen, tmp_path)
    except Exception:
        print(seen.where())  # shown by pytest with the failure
        raise
    found = {page: v for page, v in seen.violations.items() if v}
    assert not found, "axe-core on the day's pages:\n" + "\n".join(
        f"{page}: {found.get(page) or 'none'}" for page in seen.violations
    )
    in_thread(assert_valid_by_pyhanko, result, signer_cn="Lê Minh Tuấn")
    # pdfsig last: it skips (the only thing skipped) when poppler-utils is missing.
    assert_pdfsig_shows(result, tmp_path, "Lê Minh Tuấn")
    connections.close_all()


def walk(day, base, browser, seen, tmp_path) -> bytes:
    """The day; returns the result the citizen downloaded."""
    from playwright.sync_api import expect

    # --- The citizen logs in with her e-ID and applies with the prefilled form.
    citizen_ctx = browser.new_context(locale="vi-VN", accept_downloads=True)
    citizen_ctx.set_default_timeout(15_000)
    citizen = citizen_ctx.new_page()
    seen.pages.append(citizen)
    citizen.goto(base + f"/procedures/{PROCEDURE}/")
    seen.axe(citizen, "procedure")
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến (đăng nhập)").click()
    citizen.wait_for_selector("input[name=login]")
    seen.axe(citizen, "e-ID login")
    citizen.fill("input[name=login]", CITIZEN_1[0])
    citizen.fill("input[name=password]", CITIZEN_1[1])
    citizen.get_by_role("button", name="Đăng nhập").click()
    citizen.get_by_role("button", name="Đồng ý").wait_for()
    seen.axe(citizen, "e-ID consent")
    citizen.get_by_role("button", name="Đồng ý").click()
    citizen.wait_for_url(f"**/procedures/{PROCEDURE}/submit/**")
    seen.axe(citizen, "application form")
    # What the e-ID vouches for is filled in and read-only; the phone is only a suggestion.
    for field, value in {
        "applicant.full_name": "Nguyễn Văn An",
        "applicant.personal_id": CITIZEN_1[0],
        "applicant.residence.street": "12 Lê Lợi",
    }.items():
        control = citizen.locator(f'[name="{field}"]')
        expect(control).to_have_value(value)
        expect(control).not_to_be_editable()
    for field, name in {
        "applicant.residence.province": "Thành phố Đà Nẵng",
        "applicant.residence.commune": "Phường Hải Châu",
    }.items():
        control = citizen.locator(f'[name="{field}"]')
        expect(control).to_be_disabled()
        expect(control.locator("option:checked")).to_have_text(name)
    expect(citizen.locator('[name="applicant.phone"]')).to_have_value("0912000001")
    expect(citizen.locator('[name="applicant.phone"]')).to_be_editable()
    # The agency by its name; htmx brings the communes of the province.
    citizen.locator("#agency_province").select_option(label=day["province"])
    citizen.locator("#agency").select_option(label=day["commune"])
    text = {
        "applicant.relationship": "Cha",
        "child.full_name": "Nguyễn Minh Khang",
        "child.date_of_birth": "2026-11-30",
        "child.place_of_birth": "Bệnh viện Đà Nẵng",
        "child.ethnicity": "Kinh",
        "mother.full_name": "Trần Thị Mai",
        "father.full_name": "Nguyễn Văn An",
    }
    for field, value in text.items():
        citizen.locator(f'[name="{field}"]').fill(value)
    citizen.get_by_label("Nam", exact=True).check()
    for place in ("child.birth_place_address", "mother.residence", "father.residence"):
        citizen.locator(f'[name="{place}.province"]').select_option(label="Thành phố Đà Nẵng")
        citizen.locator(f'[name="{place}.commune"]').select_option(label="Phường Hải Châu")
    for upload in citizen.locator("input[type=file]").all():
        upload.set_input_files(str(day["scan"]))
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    citizen.wait_for_url("**/my/dossiers/*/?submitted=1")
    seen.axe(citizen, "my dossier")
    code = citizen.url.split("/my/dossiers/", 1)[1].split("/", 1)[0]
    expect(citizen.locator("h1")).to_contain_text(code)

    # --- The desk: its workspace, the new dossiers, receive and give it to the specialist.
    desk = page_for(browser, seen)
    official_login(desk, base, "motcua", seen)
    seen.axe(desk, "desk workspace")
    desk.get_by_role("link", name="Mới, chờ tiếp nhận").click()
    desk.wait_for_url("**/one-stop/?status=*")
    seen.axe(desk, "desk queue")
    desk.get_by_role("link", name=code).click()
    desk.wait_for_url(f"**/one-stop/d/{code}/")
    seen.axe(desk, "dossier new")
    act(desk, seen, "receive", note="Đủ thành phần hồ sơ")
    expect(status(desk)).to_contain_text("Đã tiếp nhận")
    act(desk, seen, "start_processing", official="Trần Văn Hùng")
    expect(status(desk)).to_contain_text("Đang xử lý")

    # --- The specialist finds it assigned to him and forwards it to the approver.
    specialist = page_for(browser, seen)
    official_login(specialist, base, "chuyenvien", seen)
    seen.axe(specialist, "specialist workspace")
    specialist.get_by_role("link", name="Được phân công cho tôi").click()
    specialist.wait_for_url("**/one-stop/?mine=1")
    seen.axe(specialist, "specialist queue")
    specialist.get_by_role("link", name=code).click()
    specialist.wait_for_url(f"**/one-stop/d/{code}/")
    seen.axe(specialist, "dossier at the specialist")
    act(specialist, seen, "forward", official="Lê Minh Tuấn", note="Đề nghị phê duyệt")
    expect(specialist.locator("table.history")).to_contain_text("Chuyển bước tiếp theo")

    # --- The approver approves and signs the result made from the template.
    approver = page_for(browser, seen)
    official_login(approver, base, "lanhdao", seen)
    seen.axe(approver, "approver workspace")
    approver.get_by_role("link", name="Được phân công cho tôi").click()
    approver.wait_for_url("**/one-stop/?mine=1")
    seen.axe(approver, "approver queue")
    approver.get_by_role("link", name=code).click()
    approver.wait_for_url(f"**/one-stop/d/{code}/")
    approver.locator("details:has(form.act-approve) summary").click()
    seen.axe(approver, "dossier approve form")
    approver.locator("form.act-approve").get_by_label("Tạo kết quả từ mẫu và ký số").check()
    act(
        approver,
        seen,
        "approve",
        name="Giấy khai sinh",
        number="125/2026",
        decision="Đăng ký khai sinh cho cháu Nguyễn Minh Khang, sinh ngày 30/11/2026.",
    )
    expect(status(approver)).to_contain_text("Đã giải quyết")

    # --- The desk returns the result.
    desk.reload()
    seen.axe(desk, "dossier approved, at the desk")
    act(desk, seen, "return_result")
    expect(status(desk)).to_contain_text("Đã trả kết quả")

    # --- The citizen downloads the result; its signature is the approver's.
    citizen.get_by_role("link", name="Hồ sơ của tôi").first.click()
    citizen.wait_for_url("**/my/dossiers/")
    seen.axe(citizen, "my dossiers")
    citizen.get_by_role("link", name=code).click()
    citizen.wait_for_url(f"**/my/dossiers/{code}/")
    expect(status(citizen)).to_contain_text("Đã trả kết quả")
    seen.axe(citizen, "my dossier returned")
    with citizen.expect_download() as got:
        citizen.get_by_role("link", name="Giấy khai sinh").click()
    result = tmp_path / "ket-qua.pdf"
    got.value.save_as(result)

    # --- The province's clerk signs a letter and sends it to an agency picked by name.
    clerk = page_for(browser, seen)
    official_login(clerk, base, "vanthu", seen)
    seen.axe(clerk, "clerk workspace")
    clerk.get_by_role("link", name="Văn bản đi").first.click()
    clerk.wait_for_url("**/exchange/outbox/")
    seen.axe(clerk, "outbox")
    clerk.locator("main").get_by_role("link", name="Đăng ký văn bản đi").click()
    clerk.wait_for_url("**/exchange/documents/new/")
    seen.axe(clerk, "new document")
    # Her only issuing organisation is chosen already.
    expect(clerk.locator("[name=organisation] option:checked")).to_contain_text(day["province"])
    clerk.locator("[name=document_type]").select_option(label="Công văn")
    clerk.locator("[name=subject]").fill("Về việc ký số văn bản đi")
    clerk.get_by_label("Tìm cơ quan theo tên").press_sequentially("hai van", delay=30)
    recipient = clerk.get_by_label(day["commune"], exact=True)
    recipient.check()
    expect(recipient).to_be_checked()
    seen.axe(clerk, "new document, recipient found")
    clerk.locator("[name=pdf]").set_input_files(str(day["letter"]))
    clerk.locator("[name=sign]").check()
    clerk.get_by_role("button", name="Đăng ký", exact=True).click()
    clerk.wait_for_url(re.compile(r"/exchange/documents/\d+/$"))
    seen.axe(clerk, "document")
    expect(clerk.locator("main")).to_contain_text("Phạm Thị Hoa")  # the signer, by name
    clerk.get_by_role("button", name="Gửi qua trục liên thông").click()
    clerk.wait_for_url(re.compile(r"/exchange/packages/\d+/$"))
    expect(clerk.locator("main")).to_contain_text("Đã gửi qua trục liên thông.")
    expect(clerk.locator("main table").first).to_contain_text(day["commune"])
    seen.axe(clerk, "package")

    return result.read_bytes()


def page_for(browser, seen: Day):
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    seen.pages.append(page)
    return page


def status(page):
    return page.locator("dd.dossier-status")
