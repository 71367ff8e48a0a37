"""The meeting page and the meeting's API read count every item's marks in a bounded number of
queries: the same with 40 items as with 2 (it was one query per item)."""

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from egov.cabinet.models import Mark
from egov.cabinet.services import meetings

from .test_meetings import schedule

# The page: session, user, roles, meeting, marks, items, documents, own marks, quorum,
# attendance, absent members, organisations, speakers, votes: a fixed number.
PAGE_QUERIES = 25


def _items(count):
    return [
        meetings.ItemData(f"Nội dung {i}", "Bộ trưởng", dt.time(8), dt.time(9))
        for i in range(count)
    ]


def _marked(gov, count):
    meeting = schedule(gov, items=_items(count))
    for item in meeting.items.all():
        meetings.mark(gov.members[1].official, item, Mark.NO_OBJECTION)
        meetings.mark(gov.members[2].official, item, Mark.OBJECTS, "Chưa rõ")
    return meeting


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def test_the_meeting_page_does_not_query_per_item(gov, django_assert_max_num_queries):
    small, large = _marked(gov, 2), _marked(gov, meetings.MAX_ITEMS)
    for official in (gov.secretary, gov.members[1].official):
        client = Client()
        client.force_login(official.user)
        client.get("/cabinet/meetings/")  # the session's first request writes it once
        few = _count(client, f"/cabinet/meetings/{small.number}/")
        many = _count(client, f"/cabinet/meetings/{large.number}/")
        assert many == few, (few, many)
        with django_assert_max_num_queries(PAGE_QUERIES):
            page = client.get(f"/cabinet/meetings/{large.number}/")
        assert "Nội dung 39" in page.content.decode()


def test_the_meeting_api_does_not_query_per_item(gov, django_assert_max_num_queries):
    small, large = _marked(gov, 2), _marked(gov, meetings.MAX_ITEMS)
    client = APIClient()
    client.force_authenticate(gov.secretary.user)
    url = "/api/v1/cabinet/meetings/{}/"
    few = _count(client, url.format(small.number))
    many = _count(client, url.format(large.number))
    assert many == few, (few, many)
    with django_assert_max_num_queries(PAGE_QUERIES):
        body = client.get(url.format(large.number)).json()
    assert len(body["items"]) == meetings.MAX_ITEMS
    assert body["items"][39]["marks"] == {
        "no_objection": 1,
        "wants_to_speak": 0,
        "objects": 1,
        "adoptable": 0,
    }
