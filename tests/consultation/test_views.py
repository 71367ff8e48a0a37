"""The public pages: open consultations with the days left; the draft with its comments in the
margin of each clause and the answers beside them, with a bounded number of queries."""

from egov.consultation import services

from .conftest import TEXT_V2


def test_open_consultations_show_the_days_left(client, consultation):
    page = client.get("/consultation/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    text = page.content.decode()
    assert consultation.title in text and "30 ngày" in text


def test_the_draft_with_comments_in_the_margin(
    client, world, consultation, django_assert_max_num_queries
):
    on_b = services.submit(
        world.citizen,
        consultation,
        services.CommentData("Giấy sức khỏe tốn kém", "dieu-3.khoan-2.diem-b", 3, 17),
    )
    on_1 = services.submit(
        world.citizens[0],
        consultation,
        services.CommentData("Bỏ giấy chứng nhận", "dieu-3.khoan-1", 0, 5),
    )
    on_gone = services.submit(
        world.citizens[1], consultation, services.CommentData("Bỏ cơ quan", "dieu-2.khoan-2")
    )
    for person in world.citizens[2:]:
        services.submit(person, consultation, services.CommentData("Ý kiến chung"))
    services.add_version(world.drafter, consultation.draft, text=TEXT_V2)
    services.answer(
        world.drafter,
        consultation,
        [on_1.pk],
        kind="accepted",
        text="Đã sửa",
        changed_anchor="dieu-3.khoan-1",
    )
    with django_assert_max_num_queries(12):
        page = client.get(f"/consultation/{consultation.code}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    html = page.content.decode()
    assert "5 góp ý đã nhận, 4 đã công khai" in html
    assert "2 góp ý giống nhau" in html
    # Point b did not change: the range holds, quoted as it was.
    margin_b = html.split('id="dieu-3.khoan-2.diem-b"')[1].split('class="govuk-grid-row')[0]
    assert on_b.text in margin_b and "Về đoạn:" in margin_b
    # Clause 1 changed: the comment stays in its margin, its words marked as since changed,
    # with its answer and the version that changed it.
    margin_1 = html.split('id="dieu-3.khoan-1"')[1].split('class="govuk-grid-row')[0]
    assert "Về đoạn văn đã được sửa:" in margin_1 and "Tiếp thu" in margin_1
    assert "Khoản 1, phiên bản 2" in margin_1
    # Clause 2.2 is gone from version 2.
    assert on_gone.text in html.split("Góp ý về các điều, khoản không còn trong dự thảo")[1]
    assert client.get("/consultation/LYK-1900-0001/").status_code == 404


def test_a_citizen_comments_from_the_page(client, world, consultation):
    url = f"/consultation/{consultation.code}/"
    anonymous = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Đăng nhập bằng tài khoản định danh điện tử để góp ý." in anonymous
    assert client.post(f"{url}comment/", {"text": "x"}).status_code == 403
    client.force_login(world.citizen)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<option value="dieu-3.khoan-2.diem-a">Điểm a khoản 2 Điều 3</option>' in page
    refused = client.post(
        f"{url}comment/", {"text": "", "anchor": "dieu-3"}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert refused.status_code == 400
    assert "Hãy viết góp ý của bạn." in refused.content.decode()
    made = client.post(f"{url}comment/", {"text": "Nên bỏ điều này", "anchor": "dieu-3"})
    assert made.status_code == 302 and "#comment-" in made["Location"]
    margin = client.get(url).content.decode().split('id="dieu-3"')[1].split("govuk-grid-row")[0]
    assert "Nên bỏ điều này" in margin


def _page_queries(client, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected) as captured:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    return page.content.decode(), len(captured)


def test_the_margin_shows_the_first_comments_and_links_to_all(
    client, world, consultation, django_assert_num_queries
):
    """The page's queries do not grow with the comments, and a unit's margin shows the first
    MARGIN of them with a link to all (a draft of 300 articles had 20,000: bench/README.md)."""
    url = f"/consultation/{consultation.code}/"
    people = [world.citizen, *world.citizens]

    def comment(n, anchor):
        services.submit(
            people[n % len(people)], consultation, services.CommentData(f"Ý {n}", anchor)
        )

    comment(0, "dieu-3.khoan-1")
    with django_assert_num_queries(7) as few:
        client.get(url)
    for n in range(1, 12):
        comment(n, "dieu-3.khoan-1")
    for n in range(12, 17):
        comment(n, "")
    html, _ = _page_queries(client, django_assert_num_queries, url, len(few))
    margin = html.split('id="dieu-3.khoan-1"')[1].split("govuk-grid-row")[0]
    assert [f"Ý {n}</p>" in margin for n in range(12)] == [n < 3 for n in range(12)]
    assert "Xem tất cả 12 góp ý" in margin
    assert "Xem tất cả 5 góp ý" in html and "Ý 15</p>" not in html
    assert "17 góp ý đã nhận, 17 đã công khai" in html
    # ?on=<anchor>: every comment on that unit (one query more), the others still capped.
    html, _ = _page_queries(
        client, django_assert_num_queries, f"{url}?on=dieu-3.khoan-1", len(few) + 1
    )
    margin = html.split('id="dieu-3.khoan-1"')[1].split("govuk-grid-row")[0]
    assert all(f"Ý {n}</p>" in margin for n in range(12))
    assert "Xem tất cả 12" not in margin and "Ý 15</p>" not in html
    html, _ = _page_queries(client, django_assert_num_queries, f"{url}?on=-", len(few) + 1)
    assert "Ý 15</p>" in html and "Xem tất cả 5" not in html


def test_the_text_is_rendered_once_per_version(client, world, consultation):
    """A version's units never change: their HTML is cached, the margins are not."""
    url = f"/consultation/{consultation.code}/"
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert "consultation/_unit.html" in [t.name for t in first.templates]
    services.submit(world.citizen, consultation, services.CommentData("Ý mới", "dieu-1"))
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert "consultation/_unit.html" not in [t.name for t in again.templates]
    assert "Ý mới" in again.content.decode().split('id="dieu-1"')[1].split("govuk-grid-row")[0]
    services.add_version(world.drafter, consultation.draft, text=TEXT_V2)
    third = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert "consultation/_unit.html" in [t.name for t in third.templates]
    assert "Đeo găng tay khi chế biến." in third.content.decode()
