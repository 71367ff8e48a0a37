"""The public draft page in Chromium: an old link to a unit on another chapter's page goes to
that chapter, selecting words inside a clause fills the comment form's quoted words and
chooses the clause (consultation/quote.js), the comment is taken on that range; no axe-core
violation and nothing refused by the Content-Security-Policy. The officials' htmx pages:
answering and the moderation's hide and restore swap their part in place (refusals too, through
core/egov.js), or post and redirect without JavaScript; the 404 and 403 pages pass axe and show
the request id."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from egov.consultation import selectors, services
from egov.consultation.models import Answer, Comment, Moderation
from tests.browser.conftest import axe_violations
from tests.browser.test_workspace import cookie, sync_db  # noqa: F401 - the fixture
from tests.consultation.conftest import TEXT_V1, window
from tests.consultation.conftest import world as consultation_world

pytestmark = pytest.mark.django_db(transaction=True)

POINT = "dieu-3.khoan-2.diem-a"
SELECT = """([anchor, words]) => {
  const text = document.querySelector(`[data-egov-quote="${anchor}"]`).firstChild;
  const start = text.data.indexOf(words);
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, start + words.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.body.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
}"""


@pytest.fixture
def world(transactional_db, monkeypatch, live_server):
    # The fixtures' draft is short: paged as a long one would be (the live server's thread
    # shares this process).
    monkeypatch.setattr(selectors, "PAGE_UNITS", 5)
    w = consultation_world.__wrapped__(None)
    draft = services.create_draft(
        w.drafter, w.m, title="Nghị định dịch vụ ăn uống", doc_type="decree", text=TEXT_V1
    )
    made = services.create_consultation(w.drafter, draft, title="Lấy ý kiến", windows=window())
    w.consultation = services.make(w.drafter, made, "open_comments")
    client = Client()
    client.force_login(w.citizen)
    w.cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    return w


def test_the_words_are_chosen_by_selecting_them(sync_db, world, live_server, browser):  # noqa: F811
    url = f"{live_server.url}/consultation/{world.consultation.code}/"
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(10_000)
    context.add_cookies([world.cookie])
    page = context.new_page()
    # The first chapter's page has no point 3.2.a: the module asks for the page holding it.
    page.goto(f"{url}#{POINT}")
    page.wait_for_url(f"{url}?on={POINT}#{POINT}")
    page.evaluate(SELECT, [POINT, "an toàn thực phẩm"])
    assert page.input_value("#quote") == "an toàn thực phẩm"
    assert page.input_value("#anchor") == POINT
    assert axe_violations(page) == []
    page.fill("#text", "Một lần mỗi ba năm là đủ")
    page.locator('form[action$="/comment/"] button').click()
    page.wait_for_load_state()
    comment = Comment.objects.get(text="Một lần mỗi ba năm là đủ")
    assert (comment.anchor, comment.quote) == (POINT, "an toàn thực phẩm")
    assert "Về đoạn: “an toàn thực phẩm”" in page.locator(f"#comment-{comment.pk}").inner_text()
    context.close()
    connections.close_all()


# The officials' pages with htmx (consultation/officials/_answering.html, _moderation_row.html
# and the refusal listener of core/egov.js): the part changed is swapped in place, a refusal
# shows its reason there; without JavaScript the same forms post and redirect.

MARKER = "window.__egovSamePage"


@pytest.fixture
def officials(world, live_server):
    base = live_server.url
    world.a = services.submit(
        world.citizen, world.consultation, services.CommentData("Bỏ giấy chứng nhận", "dieu-1")
    )
    world.b = services.submit(
        world.citizens[0],
        world.consultation,
        services.CommentData("Quảng cáo bán hàng", "dieu-3.khoan-1"),
    )
    services.report(world.citizens[1], world.b, reason="spam")
    world.cookies = {"drafter": cookie(world.drafter, base), "lead": cookie(world.lead, base)}
    return world


def _open(browser, who, url, **options):
    context = browser.new_context(locale="vi-VN", **options)
    context.set_default_timeout(10_000)
    context.add_cookies([who])
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state()
    return context, page


def _counts(page) -> str:
    return page.locator("#comment-counts").inner_text()


def test_an_official_answers_in_place(sync_db, officials, live_server, browser):  # noqa: F811
    w = officials
    url = f"{live_server.url}/consultation/manage/{w.consultation.code}/"
    context, page = _open(browser, w.cookies["drafter"], url)
    assert "2 chưa được trả lời" in _counts(page)
    page.evaluate(f"{MARKER} = true")
    # Refused (no reason): the reason shown in the answering part, what was chosen kept.
    page.check(f"#pick-{w.a.pk}")
    page.check("#kind-explained")
    page.get_by_role("button", name="Trả lời các góp ý đã chọn").click()
    page.locator("#answering .govuk-error-summary").wait_for()
    assert page.evaluate(MARKER) is True
    assert page.is_checked(f"#pick-{w.a.pk}") and page.is_checked("#kind-explained")
    assert "2 chưa được trả lời" in _counts(page)
    assert not Answer.objects.exists()
    # Answered: the comment moves to the latest answers, the counts at the top follow.
    page.fill("#text", "Giữ nguyên vì lý do an toàn")
    page.get_by_role("button", name="Trả lời các góp ý đã chọn").click()
    page.get_by_text("Đã trả lời góp ý.").wait_for()
    assert page.evaluate(MARKER) is True
    assert page.locator("#answering .govuk-error-summary").count() == 0
    assert "1 chưa được trả lời" in _counts(page)
    assert page.locator(f"#pick-{w.a.pk}").count() == 0
    assert "Giữ nguyên vì lý do an toàn" in page.locator("#answering table").inner_text()
    assert Answer.objects.get().text == "Giữ nguyên vì lý do an toàn"
    assert axe_violations(page) == []
    context.close()
    connections.close_all()


def test_a_moderator_hides_and_restores_in_place(sync_db, officials, live_server, browser):  # noqa: F811
    w = officials
    url = f"{live_server.url}/consultation/manage/moderation/"
    context, page = _open(browser, w.cookies["lead"], url)
    row = page.locator(f"#comment-{w.b.pk}")
    page.evaluate(f"{MARKER} = true")
    # Refused (no reason): the reason in the comment's row, the comment still shown.
    row.locator("button.govuk-button--warning").click()
    row.locator(".govuk-error-summary").wait_for()
    assert page.evaluate(MARKER) is True
    assert Comment.objects.get(pk=w.b.pk).moderation != Moderation.HIDDEN
    assert axe_violations(page) == []
    row.get_by_label("Lý do ẩn").fill("Quảng cáo")
    row.locator("button.govuk-button--warning").click()
    row.get_by_text("Đã ẩn góp ý").wait_for()
    assert page.evaluate(MARKER) is True
    assert row.locator(".govuk-error-summary").count() == 0
    assert Comment.objects.get(pk=w.b.pk).moderation == Moderation.HIDDEN
    row.get_by_role("button", name="Hiển thị lại").click()
    row.get_by_text("Góp ý đã được hiển thị lại.").wait_for()
    assert page.evaluate(MARKER) is True
    assert Comment.objects.get(pk=w.b.pk).moderation == Moderation.VISIBLE
    assert axe_violations(page) == []
    context.close()
    connections.close_all()


def test_without_javascript_the_forms_post_and_redirect(sync_db, officials, live_server, browser):  # noqa: F811
    w = officials
    url = f"{live_server.url}/consultation/manage/{w.consultation.code}/"
    context, page = _open(browser, w.cookies["drafter"], url, java_script_enabled=False)
    page.check(f"#pick-{w.a.pk}")
    page.check("#kind-explained")
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        page.get_by_role("button", name="Trả lời các góp ý đã chọn").click()
    assert refused.value.status == 400
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.is_checked(f"#pick-{w.a.pk}") and "2 chưa được trả lời" in _counts(page)
    assert not Answer.objects.exists()
    page.fill("#text", "Giữ nguyên vì lý do an toàn")
    page.get_by_role("button", name="Trả lời các góp ý đã chọn").click()
    page.wait_for_url(url)
    assert "Đã trả lời góp ý." in page.locator("main").inner_text()
    assert "1 chưa được trả lời" in _counts(page)
    # No axe here: its run never settles in a page with JavaScript off (the JS tests cover it).
    context.close()
    queue = f"{live_server.url}/consultation/manage/moderation/"
    context, page = _open(browser, w.cookies["lead"], queue, java_script_enabled=False)
    row = page.locator(f"#comment-{w.b.pk}")
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        row.locator("button.govuk-button--warning").click()
    assert refused.value.status == 400
    assert page.locator(".govuk-error-summary").count() == 1
    assert Comment.objects.get(pk=w.b.pk).moderation != Moderation.HIDDEN
    page.locator(f"#reason-hide-{w.b.pk}").fill("Quảng cáo")
    page.locator(f"#comment-{w.b.pk} button.govuk-button--warning").click()
    page.wait_for_url(queue)
    assert "Đã ẩn góp ý" in page.locator("main").inner_text()
    assert Comment.objects.get(pk=w.b.pk).moderation == Moderation.HIDDEN
    context.close()
    connections.close_all()


def test_the_error_pages_pass_axe_and_show_the_request_id(sync_db, officials, live_server, browser):  # noqa: F811
    base = live_server.url
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(10_000)
    context.add_cookies([officials.cookie])  # a citizen: the officials' pages refuse them
    page = context.new_page()
    for path, status in [
        ("/no-such-page/", 404),
        (f"/consultation/manage/{officials.consultation.code}/", 403),
    ]:
        response = page.goto(base + path)
        assert response.status == status, path
        request_id = response.headers["x-request-id"]
        assert request_id and request_id in page.locator(".govuk-inset-text code").inner_text()
        assert f"Lỗi {status}" in page.locator("main").inner_text()
        assert axe_violations(page) == [], path
    context.close()
    connections.close_all()
