"""Comments anchored to quoted words through the API: an organisation's client sends
``quote`` as the page's form does (absent or ambiguous words refused in Vietnamese, nothing
written), and the open data gives each range where it stands in the draft's latest version."""

from __future__ import annotations

from egov.consultation import services
from egov.consultation.models import Comment
from egov.core.models import AuditEntry

from .conftest import TEXT_V2
from .test_api import API, _token

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
POINT = "dieu-3.khoan-2.diem-a"  # "Được tập huấn kiến thức an toàn thực phẩm hằng năm;"


def _post(client, consultation, token, body):
    return client.post(
        f"{API}/consultations/{consultation.code}/comments/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **VI,
    )


def test_an_organisation_quotes_the_words_it_comments_on(client, world, consultation):
    token = _token(client, world, ["consultation.comment"])
    made = _post(
        client,
        consultation,
        token,
        {"text": "Hai năm một lần", "anchor": POINT, "quote": " hằng\n năm "},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    text = consultation.draft.versions.get().units.get(anchor=POINT).text
    assert (
        body["quote"] == "hằng năm" and text[body["range_start"] : body["range_end"]] == "hằng năm"
    )
    assert body["range_now"] == {
        "version": 1,
        "state": "same",
        "range_start": body["range_start"],
        "range_end": body["range_end"],
    }


def test_absent_ambiguous_or_doubled_quotes_are_refused(client, world, consultation):
    token = _token(client, world, ["consultation.comment"])
    before = (Comment.objects.count(), AuditEntry.objects.count())
    cases = [
        ({"anchor": POINT, "quote": "mỗi tháng"}, "Không có đoạn “mỗi tháng” trong Điểm a."),
        ({"anchor": POINT, "quote": "th"}, "2 lần"),
        ({"quote": "an toàn"}, "chọn điều, khoản có đoạn được trích"),
        (
            {"anchor": POINT, "quote": "hằng năm", "range_start": 0, "range_end": 4},
            "không dùng cả hai",
        ),
    ]
    for extra, words in cases:
        refused = _post(client, consultation, token, {"text": "Ý kiến", **extra})
        assert refused.status_code == 400, (extra, refused.content)
        assert words in refused.content.decode(), refused.content.decode()
    assert (Comment.objects.count(), AuditEntry.objects.count()) == before


def test_the_open_data_gives_each_range_in_the_latest_version(
    client, world, consultation, django_assert_max_num_queries
):
    people = [world.citizen, *world.citizens]
    on = [
        ("dieu-3.khoan-1", "giấy chứng nhận"),  # the clause is rewritten in version 2: changed
        (POINT, "hằng năm"),  # unchanged in version 2: same
        ("dieu-2.khoan-2", "quản lý"),  # gone in version 2
        ("dieu-3", None),  # a unit, no range
    ]
    for n, (anchor, quote) in enumerate(on):
        services.submit(
            people[n], consultation, services.CommentData(f"Ý {n}", anchor, quote=quote or "")
        )
    url = f"{API}/consultations/{consultation.code}/comments/"
    with django_assert_max_num_queries(8) as before:
        client.get(url)
    services.add_version(world.drafter, consultation.draft, text=TEXT_V2)
    with django_assert_max_num_queries(len(before.captured_queries)):
        rows = client.get(url).json()["results"]
    now = {r["anchor"]: r["range_now"] for r in rows}
    assert now["dieu-3.khoan-1"] == {
        "version": 2,
        "state": "changed",
        "range_start": None,
        "range_end": None,
    }
    assert now[POINT]["state"] == "same" and now[POINT]["version"] == 2
    assert now["dieu-2.khoan-2"]["state"] == "gone" and now["dieu-3"] is None
    # More comments on ranges do not make more queries.
    for n in range(4, 9):
        services.submit(
            people[n % 5], consultation, services.CommentData(f"Ý {n}", POINT, quote="hằng năm")
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert len(client.get(url).json()["results"]) == 9
