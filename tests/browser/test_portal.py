"""A citizen's journey in Chromium: search without diacritics, open the procedure, read its fees
and time limit; axe-core finds no violations on the home, results and procedure pages, in
Vietnamese and in English. The app is served by pytest-django's live server with the demo data."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_data(transactional_db):
    call_command("load_demo", verbosity=0)


def journey(page, base_url: str) -> dict:
    """Search, open the birth registration, return what the citizen sees, axe on each page."""
    violations = {}
    page.goto(base_url + "/")
    violations["home"] = axe_violations(page)
    page.get_by_role("searchbox").first.fill("dang ky khai sinh")
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url("**/procedures/?q=*")
    violations["results"] = axe_violations(page)
    first = page.locator("ol.results li.result").first
    title = first.locator("h3 a").inner_text()
    first.locator("h3 a").click()
    page.wait_for_url("**/procedures/1.001193/")
    violations["procedure"] = axe_violations(page)
    return {
        "first_result": title,
        "h1": page.locator("h1").inner_text(),
        "time_limits": page.locator("td.time-limit").all_inner_texts(),
        "fees": page.locator("td.fees").all_inner_texts(),
        "violations": violations,
    }


def test_citizen_finds_birth_registration_and_pages_have_no_axe_violations(
    demo_data, live_server, browser
):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    vi = journey(page, live_server.url)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert vi["first_result"] == "Thủ tục đăng ký khai sinh"
    assert vi["h1"] == "Thủ tục đăng ký khai sinh"
    assert "1 ngày làm việc" in vi["time_limits"]
    assert "Miễn phí" in vi["fees"]
    assert vi["violations"] == {"home": [], "results": [], "procedure": []}

    # English through the language switch in the header (a plain form: no JavaScript needed).
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    en = journey(page, live_server.url)
    assert page.locator("html").get_attribute("lang") == "en"
    assert en["first_result"] == "Thủ tục đăng ký khai sinh"
    assert "1 working day" in en["time_limits"]  # not "1 working days" (issue 13)
    assert "Free" in en["fees"]
    assert en["violations"] == {"home": [], "results": [], "procedure": []}
    context.close()

    # At 375 px (a phone) the procedure summary shows its values whole (issue 13).
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/procedures/1.001193/")
    clipped = page.eval_on_selector_all(
        "dl.summary dd, dl.summary dt",
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1"
        " || e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(e => e.textContent)",
    )
    assert clipped == []
    assert axe_violations(page) == []
    context.close()

    # Without JavaScript: the search form still works (one test: the demo data loads once).
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").first.fill("cap ho chieu")
    page.get_by_role("button", name="Tìm kiếm").first.click()
    page.wait_for_url("**/procedures/?q=*")
    assert page.locator("ol.results h3 a").first.inner_text().startswith("Cấp hộ chiếu phổ thông")
    context.close()
