"""The floor and the minutes through the API: a member asks to speak and votes, the
secretariat runs the list and the votes; bad input 400 in Vietnamese, a closed vote 409,
nothing changed."""

import datetime as dt

from rest_framework.test import APIClient

from egov.accounts.services import officials as official_services
from egov.cabinet.models import Speaker, Vote, VoteCast
from egov.cabinet.services import meetings
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.exchange.models import Delivery, OfficialDocument

from .test_meetings import schedule

URL = "/api/v1/cabinet/meetings/{}/"


def _client(official):
    client = APIClient()
    client.force_authenticate(official.user)
    return client


def test_floor_through_the_api(gov):
    meeting = schedule(gov)
    url = URL.format(meeting.number)
    member = _client(gov.members[2].official)
    chair = _client(gov.secretary)
    asked = member.post(f"{url}speak/", {"item": 1}, format="json")
    assert asked.status_code == 201, asked.content
    assert asked.json()["state"] == "waiting"
    again = member.post(f"{url}speak/", {"item": 1}, format="json")
    assert again.status_code == 400 and "danh sách phát biểu" in again.content.decode()
    bad_item = member.post(f"{url}speak/", {"item": 9}, format="json")
    assert bad_item.status_code == 400
    speaker = Speaker.objects.get()
    early = chair.post(f"{url}speaker/", {"speaker": speaker.pk, "act": "start"}, format="json")
    assert early.status_code == 409  # not in session yet
    # A member may not run the list.
    denied = member.post(f"{url}speaker/", {"speaker": speaker.pk, "act": "start"}, format="json")
    assert denied.status_code == 403
    for m in gov.members[:20]:
        meetings.attend(gov.secretary, meeting, m)
    started = chair.post(f"{url}speaker/", {"speaker": speaker.pk, "act": "start"}, format="json")
    assert started.status_code == 200 and started.json()["speakers"][0]["state"] == "speaking"

    opened = chair.post(f"{url}votes/", {"item": 1, "question": "Thông qua?"}, format="json")
    assert opened.status_code == 201, opened.content
    vote = Vote.objects.get()
    cast = member.post(f"{url}cast/", {"vote": vote.pk, "choice": "agree"}, format="json")
    assert cast.status_code == 201 and cast.json()["votes"][0]["agree"] == 1
    twice = member.post(f"{url}cast/", {"vote": vote.pk, "choice": "agree"}, format="json")
    assert twice.status_code == 400
    absent = _client(gov.members[25].official)
    refused = absent.post(f"{url}cast/", {"vote": vote.pk, "choice": "agree"}, format="json")
    assert refused.status_code == 400 and "có mặt" in refused.content.decode()
    body = {"vote": vote.pk, "choice": "disagree", "member": gov.pm.pk}
    assert chair.post(f"{url}record/", body, format="json").status_code == 201
    closed = chair.post(f"{url}close-vote/", {"vote": vote.pk}, format="json")
    assert closed.status_code == 200 and closed.json()["votes"][0]["outcome"] == "not_adopted"
    late = member.post(f"{url}cast/", {"vote": vote.pk, "choice": "agree"}, format="json")
    assert late.status_code == 409
    assert VoteCast.objects.count() == 2
    live = member.get(f"{url}floor/").json()
    assert live["votes"][0]["members"] == 27 and live["speakers"][0]["member_name"]


def test_minutes_through_the_api(gov):
    official_services.assign_role(gov.secretary, "clerk", gov.office, actor="test")
    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G04", "Bộ Công an", "central")
    )
    meeting = schedule(gov, date=dt.date.today() + dt.timedelta(days=1))
    url = URL.format(meeting.number)
    chair = _client(gov.secretary)
    early = chair.post(f"{url}minutes/", {"recipients": [ministry.code]}, format="json")
    assert early.status_code == 409
    meetings.attend(gov.secretary, meeting, gov.members[0])
    meetings.close(gov.secretary, meeting)
    unknown = chair.post(f"{url}minutes/", {"recipients": ["000.00.00.X99"]}, format="json")
    assert unknown.status_code == 400
    denied = _client(gov.members[1].official).post(f"{url}minutes/", {}, format="json")
    assert denied.status_code == 403
    assert not OfficialDocument.objects.exists()
    sent = chair.post(f"{url}minutes/", {"recipients": [ministry.code]}, format="json")
    assert sent.status_code == 201, sent.content
    assert sent.json()["recipients"] == [ministry.code]
    assert Delivery.objects.get().recipient == ministry
    again = chair.post(f"{url}minutes/", {"recipients": [ministry.code]}, format="json")
    assert again.status_code == 409 and OfficialDocument.objects.count() == 1
