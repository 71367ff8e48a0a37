"""The public draft page in Chromium: an old link to a unit on another chapter's page goes to
that chapter, selecting words inside a clause fills the comment form's quoted words and
chooses the clause (consultation/quote.js), the comment is taken on that range; no axe-core
violation and nothing refused by the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from egov.consultation import selectors, services
from egov.consultation.models import Comment
from tests.browser.conftest import axe_violations
from tests.browser.test_workspace import sync_db  # noqa: F401 - the fixture
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
