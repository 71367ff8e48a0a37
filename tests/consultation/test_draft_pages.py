"""The public draft page of a long draft, a chapter at a time; the words commented on chosen
on the page; comments on units gone from the draft named from the version they were on."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egov.consultation import memo, selectors, services
from egov.consultation.models import Comment

from .conftest import TEXT_V2


def _long_text(chapters: int) -> str:
    lines, article = ["NGHỊ ĐỊNH"], 0
    for c in range(1, chapters + 1):
        lines += [f"Chương {c}", f"NHÓM {c}"]
        for _ in range(2):
            article += 1
            lines += [
                f"Điều {article}. Điều kiện {article}",
                f"1. Có giấy phép số {article}.",
                "2. Hồ sơ gồm:",
                "a) Đơn đề nghị;",
                "b) Bản sao giấy tờ.",
            ]
    return "\n".join(lines)


@pytest.fixture
def paged(monkeypatch):
    """Any draft with chapters is paged (the threshold is 200 units: the fixtures are short)."""
    monkeypatch.setattr(selectors, "PAGE_UNITS", 5)


def _unsigned(html: str) -> str:
    """A page without its form tokens (one per request)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _get(client, url):
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200, url
    return page.content.decode()


def test_a_long_draft_is_shown_a_chapter_at_a_time(
    client, world, consultation, paged, django_assert_num_queries
):
    url = f"/consultation/{consultation.code}/"
    people = [world.citizen, *world.citizens]
    for n, anchor in enumerate(["dieu-1", "dieu-3.khoan-1", "dieu-3.khoan-1", "dieu-3", ""]):
        services.submit(people[n], consultation, services.CommentData(f"Ý {n}", anchor))
    first = _get(client, url)
    assert 'id="dieu-1"' in first and 'id="dieu-3"' not in first
    # The table of contents: every chapter with its published comments, this one not a link.
    assert '<strong aria-current="page">Chương I. QUY ĐỊNH CHUNG</strong> · 1 góp ý' in first
    toc_line = 'href="?chapter=chuong-2#draft-text">Chương II. ĐIỀU KIỆN KINH DOANH</a> · 3 góp ý'
    assert toc_line in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    # The comments on the whole draft on every page; the form lists this chapter's units.
    assert "Ý 4</p>" in first and "Ý 1</p>" not in first
    second = _get(client, f"{url}?chapter=chuong-2")
    assert 'id="dieu-3"' in second and 'id="dieu-1"' not in second
    assert "Ý 1</p>" in second and "Ý 4</p>" in second and 'rel="prev"' in second
    # An old link to a unit lands on the chapter holding it.
    assert 'id="dieu-3.khoan-1"' in _get(client, f"{url}?on=dieu-3.khoan-1")
    assert client.get(f"{url}?chapter=chuong-9").status_code == 404
    # The page's queries grow neither with the comments nor with the chapters; a chapter
    # already made reads only the consultation and its windows (its body is remembered).
    with django_assert_num_queries(2):
        client.get(f"{url}?chapter=chuong-2")
    with django_assert_num_queries(7) as few:
        client.get(f"{url}?chapter=chuong-2&on=dieu-3")
    for n in range(5, 25):
        services.submit(people[n % 5], consultation, services.CommentData(f"Ý {n}", "dieu-3"))
    services.add_version(world.drafter, consultation.draft, text=_long_text(12))
    with django_assert_num_queries(len(few)):
        html = _get(client, f"{url}?chapter=chuong-12")
    assert 'id="dieu-24"' in html and html.count("aria-current") == 1
    with django_assert_num_queries(2):
        assert _unsigned(_get(client, f"{url}?chapter=chuong-12")) == _unsigned(html)


def test_a_short_draft_stays_one_page(client, world, consultation):
    html = _get(client, f"/consultation/{consultation.code}/")
    assert 'id="dieu-1"' in html and 'id="dieu-3"' in html and "data-egov-paged" not in html


def test_the_words_commented_on_are_chosen_on_the_page(client, world, consultation, paged):
    url = f"/consultation/{consultation.code}/"
    client.force_login(world.citizen)
    page = _get(client, url)
    # No inline script (CSP): a static module fills the field from a selection in a clause.
    assert '<script type="module" src="/static/consultation/quote.js">' in page
    assert '<input class="govuk-input" id="quote" name="quote"' in page
    assert '<span data-egov-quote="dieu-2.khoan-1">' in page
    before = Comment.objects.count()
    refused = client.post(
        f"{url}comment/",
        {"text": "Bỏ", "anchor": "dieu-3.khoan-2.diem-a", "quote": "mỗi tháng"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert refused.status_code == 400 and Comment.objects.count() == before
    html = refused.content.decode()
    assert "Không có đoạn “mỗi tháng” trong Điểm a." in html
    # Shown again on the chapter of the unit it was on, with what was typed.
    assert 'value="dieu-3.khoan-2.diem-a" selected' in html and 'value="mỗi tháng"' in html
    made = client.post(
        f"{url}comment/",
        {"text": "Một lần là đủ", "anchor": "dieu-3.khoan-2.diem-a", "quote": "hằng năm"},
    )
    comment = Comment.objects.get(text="Một lần là đủ")
    assert made["Location"] == f"{url}?on=dieu-3.khoan-2.diem-a#comment-{comment.pk}"
    assert comment.quote == "hằng năm" and comment.range_end - comment.range_start == 8
    margin = _get(client, made["Location"]).split('id="dieu-3.khoan-2.diem-a"')[1]
    assert "Về đoạn: “hằng năm”" in margin.split("govuk-grid-row")[0]


def test_comments_on_units_gone_are_named_from_their_version(client, world, consultation):
    people = [world.citizen, *world.citizens]
    for n in range(5):
        services.submit(people[n], consultation, services.CommentData(f"Bỏ {n}", "dieu-2.khoan-2"))
    services.add_version(world.drafter, consultation.draft, text=TEXT_V2)
    html = _get(client, f"/consultation/{consultation.code}/")
    earlier = html.split("Góp ý về các điều, khoản không còn trong dự thảo")[1]
    assert "Về Khoản 2 Điều 2, phiên bản 1" in earlier
    assert "Xem tất cả 5 góp ý</a> (Khoản 2 Điều 2)" in earlier
    assert "(dieu-2.khoan-2)" not in earlier


def test_the_chapters_counts_follow_moderation(client, world, consultation, paged):
    """The counts come from the comments themselves (one grouped query), not from counters:
    hiding and restoring a comment moves them at once."""
    url = f"/consultation/{consultation.code}/"
    comments = [
        services.submit(person, consultation, services.CommentData(f"Ý {n}", "dieu-3"))
        for n, person in enumerate([world.citizen, *world.citizens[:2]])
    ]
    toc = 'href="?chapter=chuong-2#draft-text">Chương II. ĐIỀU KIỆN KINH DOANH</a> · {} góp ý'
    assert toc.format(3) in _get(client, url)
    services.hide(world.lead, comments[0], reason="Xúc phạm")
    html = _get(client, url)
    assert toc.format(2) in html and "3 góp ý đã nhận, 2 đã công khai" in html
    services.restore(world.lead, comments[0], reason="Xem lại")
    assert toc.format(3) in _get(client, url)


def test_a_comments_html_is_cached_and_never_stale(client, world, consultation):
    """Shown comments are rendered once a process (remembered under a key holding all that can
    change them): the second page renders none; an answer or a duplicate shows at once."""
    url = f"/consultation/{consultation.code}/"
    made = services.submit(world.citizen, consultation, services.CommentData("Bỏ", "dieu-1"))
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert "consultation/_comments.html" in [t.name for t in first.templates]
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert "consultation/_comments.html" not in [t.name for t in again.templates]
    services.submit(world.citizens[0], consultation, services.CommentData("bỏ.", "dieu-1"))
    services.answer(world.drafter, consultation, [made.pk], kind="explained", text="Cần giữ")
    margin = _get(client, url).split('id="dieu-1"')[1].split("govuk-grid-row")[0]
    assert "2 góp ý giống nhau" in margin and "Giải trình:</strong> Cần giữ" in margin


def test_the_remembered_body_moves_with_every_change(
    client, world, consultation, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The page's body is remembered until its consultation changes: each kind of change shows
    on the next page (the real after-commit bump, not the tests' shortcut), a page already made
    reads two queries, and the memo off gives the same HTML."""
    monkeypatch.setattr(memo.COUNTERS, "on_commit", transaction.on_commit)
    url = f"/consultation/{consultation.code}/"

    def change(act):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return act()

    def page(queries=None):
        if queries is None:
            return _unsigned(_get(client, url))
        with CaptureQueriesContext(connection) as seen:
            html = _unsigned(_get(client, url))
        assert len(seen) == queries, [q["sql"] for q in seen]
        return html

    def unremembered():
        settings.EGOV_CONSULTATION_PAGE_MEMO = False
        try:
            return page(7)  # made afresh: a fixed number, whatever the comments
        finally:
            settings.EGOV_CONSULTATION_PAGE_MEMO = True

    made = change(
        lambda: services.submit(world.citizen, consultation, services.CommentData("Bỏ", "dieu-1"))
    )
    first = page()  # the first reader makes it (and the process's first request warms up)
    assert "Bỏ</p>" in first
    assert page(2) == first == unremembered()  # then the consultation and its windows only
    change(lambda: services.hide(world.lead, made, reason="Xúc phạm"))
    assert "Bỏ</p>" not in page(7)  # made again: as many queries as afresh
    change(lambda: services.restore(world.lead, made, reason="Xem lại"))
    assert "Bỏ</p>" in page()
    change(
        lambda: services.answer(
            world.drafter, consultation, [made.pk], kind="explained", text="Cần giữ"
        )
    )
    assert "Giải trình:</strong> Cần giữ" in page()
    change(
        lambda: services.submit(
            world.citizens[0], consultation, services.CommentData("bỏ.", "dieu-1")
        )
    )
    assert "2 góp ý giống nhau" in page()
    change(lambda: services.add_version(world.drafter, consultation.draft, text=TEXT_V2))
    html = page()
    assert '<dd class="govuk-summary-list__value">2</dd>' in html
    assert html == page(2) == unremembered()
    # A short draft ignores ``?chapter=``: no key is made for whatever is written there.
    with CaptureQueriesContext(connection) as seen:
        assert 'id="dieu-1"' in _get(client, f"{url}?chapter=x")
    assert len(seen) == 7
    assert not cache.get(f"consultation:page:{consultation.pk}:vi:x")
