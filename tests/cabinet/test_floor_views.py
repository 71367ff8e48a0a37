"""The floor on the meeting page (no JavaScript: plain posts; htmx polls the fragment, a
link refreshes it without): a member asks to speak and votes, the secretariat runs the list
and the vote; the fragment's queries do not grow with the agenda."""

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.cabinet.models import Speaker, SpeakerState, Vote, VoteCast
from egov.cabinet.services import floor, meetings

from .test_meetings import schedule

# session, user, roles (3), meeting, speakers, votes, casts, attendance (2), own votes, items,
# the members one may ask the floor for.
FRAGMENT_QUERIES = 16


def _client(official):
    client = Client()
    client.force_login(official.user)
    return client


def test_speakers_and_a_live_vote_on_the_page(gov):
    meeting = schedule(gov)
    url = f"/cabinet/meetings/{meeting.number}/"
    member = gov.members[2]
    mine = _client(member.official)
    page = mine.get(url).content.decode()
    assert f'hx-get="{url}floor/"' in page
    assert f'href="{url}#floor"' in page  # the refresh link without JavaScript
    ask = {"act": "speak", "item": 1, "member": member.pk}
    assert mine.post(url, ask).status_code == 302
    again = mine.post(url, ask)
    assert again.status_code == 400 and "danh sách phát biểu" in again.content.decode()
    assert Speaker.objects.count() == 1
    assert mine.post(url, {**ask, "member": gov.members[3].pk}).status_code == 400

    chair = _client(gov.secretary)
    speaker = Speaker.objects.get()
    started = chair.post(url, {"act": "speaker_start", "speaker": speaker.pk})
    assert started.status_code == 400 and "chưa khai mạc" in started.content.decode()
    for m in gov.members[:20]:
        meetings.attend(gov.secretary, meeting, m)
    # A member cannot give the floor.
    assert mine.post(url, {"act": "speaker_start", "speaker": speaker.pk}).status_code == 400
    assert chair.post(url, {"act": "speaker_start", "speaker": speaker.pk}).status_code == 302
    assert chair.post(url, {"act": "speaker_stop", "speaker": speaker.pk}).status_code == 302
    speaker.refresh_from_db()
    assert speaker.state == SpeakerState.FINISHED

    refused = chair.post(url, {"act": "vote_open", "item": 1, "question": " "})
    assert refused.status_code == 400 and not Vote.objects.exists()
    opened = {"act": "vote_open", "item": 1, "question": "Thông qua báo cáo?"}
    assert chair.post(url, opened).status_code == 302
    vote = Vote.objects.get()
    fragment = mine.get(f"{url}floor/").content.decode()
    assert "Thông qua báo cáo?" in fragment and "Biểu quyết của bạn" in fragment
    cast = {"act": "vote_cast", "vote": vote.pk, "choice": "agree"}
    assert mine.post(url, cast).status_code == 302
    twice = mine.post(url, {**cast, "choice": "disagree"})
    assert twice.status_code == 400 and VoteCast.objects.get().choice == "agree"
    fragment = mine.get(f"{url}floor/").content.decode()
    assert "Biểu quyết của bạn" not in fragment and "1 / 27" in fragment
    # The secretariat records another member's vote, then closes it.
    other = {"act": "vote_cast", "vote": vote.pk, "choice": "disagree", "member": gov.pm.pk}
    assert chair.post(url, other).status_code == 302
    assert mine.post(url, {"act": "vote_close", "vote": vote.pk}).status_code == 400
    assert chair.post(url, {"act": "vote_close", "vote": vote.pk}).status_code == 302
    vote.refresh_from_db()
    assert vote.outcome == "not_adopted"
    assert "Không được thông qua" in mine.get(f"{url}floor/").content.decode()


def test_outsiders_do_not_see_the_floor(gov):
    meeting = schedule(gov)
    url = f"/cabinet/meetings/{meeting.number}/floor/"
    assert _client(gov.outsider).get(url).status_code == 404
    assert _client(gov.members[1].official).get(url).status_code == 200


def _with_items(gov, count):
    items = [
        meetings.ItemData(f"Nội dung {i}", "Bộ trưởng", dt.time(8), dt.time(9))
        for i in range(count)
    ]
    meeting = schedule(gov, items=items)
    for m in gov.members[:20]:
        meetings.attend(gov.secretary, meeting, m)
    for item in meeting.items.all():
        floor.request_to_speak(gov.members[3].official, item)
        vote = floor.open_vote(gov.secretary, item, "Thông qua?")
        floor.cast_vote(gov.members[4].official, vote, "agree")
    return meeting


def test_the_fragment_does_not_query_per_item(gov, django_assert_max_num_queries):
    small, large = _with_items(gov, 2), _with_items(gov, 12)
    for official in (gov.members[4].official, gov.secretary):
        client = _client(official)
        client.get("/cabinet/meetings/")  # the session's first request writes it once
        counts = []
        for meeting in (small, large):
            with CaptureQueriesContext(connection) as captured:
                page = client.get(f"/cabinet/meetings/{meeting.number}/floor/")
            assert page.status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], counts
        with django_assert_max_num_queries(FRAGMENT_QUERIES):
            client.get(f"/cabinet/meetings/{large.number}/floor/")
