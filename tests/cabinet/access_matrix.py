"""The e-Cabinet's part of the access matrix (tests/accounts/test_access_matrix.py).

A ballot of the Government Office (organisation A of the matrix's tree) asking two members:
the member asked reads it and answers it (signed); an official of another organisation, a
member not asked and an API client of another province get 401, 403 or 404."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile

from django.test import override_settings

from egov.accounts.signing import holder_of_official
from egov.cabinet import answers, scopes
from egov.cabinet.services import ballots, members

from ..accounts.officials_support import make_official

BASE = "/api/v1/cabinet/ballots/{number}/"


def _ballot(tree):
    start = dt.date(2021, 4, 8)
    asked = [make_official(f"member_{i}", tree.a) for i in range(2)]
    pm = members.appoint(asked[0], "prime_minister", "Thủ tướng Chính phủ", term_start=start)
    minister = members.appoint(asked[1], "minister", "Bộ trưởng Bộ Tư pháp", term_start=start)
    other = members.appoint(
        make_official("member_x", tree.b), "minister", "Bộ trưởng Bộ Y tế", term_start=start
    )
    secretary = make_official("secretary", tree.a)
    members.add_secretary(secretary)
    ballot = ballots.issue(
        secretary,
        ballots.BallotData("Dự thảo", ["Thông qua?"], working_days=2, members=[pm.pk, minister.pk]),
    )
    return ballot, minister, other


def _read(tree):
    ballot, minister, other = _ballot(tree)
    return {
        "id": ballot.number,
        "insider": minister.official.user,
        "outsiders": [other.official.user, make_official("desk_b", tree.b, "desk").user],
        "scopes": [scopes.READ],
    }


def _answer(tree):
    pki = tempfile.mkdtemp(prefix="cabinet-matrix-")
    # The request runs after this returns, with these settings: removed when the tests end.
    atexit.register(shutil.rmtree, pki, True)
    values = {"EGOV_PKI_DIR": pki, "EGOV_PKI_AUTO_CREATE": True}
    ballot, minister, other = _ballot(tree)
    question = ballot.questions.get()
    with override_settings(**values):
        content = ballots.content_for(ballot, question, minister, minister.official, "agree", "")
        document = answers.sign(content, holder_of_official(minister.official)).decode()
    return {
        "id": ballot.number,
        "insider": minister.official.user,
        "outsiders": [other.official.user, make_official("desk_b", tree.b, "desk").user],
        "scopes": [scopes.ANSWER],
        "body": {"document": document},
        "settings": values,
    }


MEETING = "/api/v1/cabinet/meetings/{number}/"


def _meeting(tree):
    """A meeting of the two members in office on its date; a member appointed after it is
    not part of it."""
    from egov.cabinet.services import meetings

    day = dt.date.today() + dt.timedelta(days=5)
    member = members.appoint(
        make_official("member_m", tree.a), "minister", "Bộ trưởng", term_start=day
    )
    later = members.appoint(
        make_official("member_y", tree.b), "minister", "Bộ trưởng", term_start=day + dt.timedelta(1)
    )
    secretary = make_official("secretary_m", tree.a)
    members.add_secretary(secretary)
    item = meetings.ItemData("Dự thảo", "Bộ trưởng", dt.time(8), dt.time(9))
    meeting = meetings.schedule(
        secretary, meetings.MeetingData("Phiên họp", "regular", day, [item])
    )
    return {
        "id": meeting.number,
        "insider": member.official.user,
        "outsiders": [later.official.user, make_official("desk_b", tree.b, "desk").user],
        "secretary": secretary.user,
        "member": member,
    }


def _meeting_read(tree):
    case = _meeting(tree)
    del case["secretary"], case["member"]
    return {**case, "scopes": [scopes.READ]}


def _meeting_mark(tree):
    case = _meeting(tree)
    del case["secretary"], case["member"]
    return {
        **case,
        "scopes": [scopes.ANSWER],
        "body": {"item": 1, "mark": "no_objection"},
    }


def _secretariat(tree, body):
    case = _meeting(tree)
    member = case.pop("member")
    insider = case.pop("secretary")
    return {
        **case,
        "insider": insider,
        # A member of the meeting may read it but not act for the secretariat.
        "outsiders": [member.official.user, *case["outsiders"]],
        "scopes": [scopes.ISSUE],
        "body": body(member),
    }


def _meeting_attend(tree):
    return _secretariat(tree, lambda member: {"member": member.pk})


def _meeting_conclude(tree):
    return _secretariat(tree, lambda member: {"item": 1, "text": "Thống nhất thông qua."})


def _meeting_close(tree):
    return _secretariat(tree, lambda member: {})


def _meeting_floor(tree):
    return {**_meeting_read(tree)}


def _meeting_speak(tree):
    case = _meeting(tree)
    del case["secretary"], case["member"]
    return {**case, "scopes": [scopes.ANSWER], "body": {"item": 1}}


def _in_session(tree):
    """A meeting in session: its one member (N = 1) present, a vote open on its item."""
    from egov.cabinet.models import Meeting
    from egov.cabinet.services import floor, meetings

    case = _meeting(tree)
    meeting = Meeting.objects.get(number=case["id"])
    secretary = meeting.scheduled_by
    meetings.attend(secretary, meeting, case["member"])
    item = meeting.items.get()
    speaker = floor.request_to_speak(case["member"].official, item)
    vote = floor.open_vote(secretary, item, "Thông qua?")
    return case, speaker, vote


def _meeting_speaker(tree):
    case, speaker, _vote = _in_session(tree)
    return _secretariat_case(case, {"speaker": speaker.pk, "act": "start"})


def _meeting_vote_open(tree):
    case, _speaker, vote = _in_session(tree)
    return _secretariat_case(case, {"item": 1, "question": "Phương án khác?"}, close=vote)


def _meeting_vote_record(tree):
    case, _speaker, vote = _in_session(tree)
    body = {"vote": vote.pk, "member": case["member"].pk, "choice": "agree"}
    return _secretariat_case(case, body)


def _meeting_vote_close(tree):
    case, _speaker, vote = _in_session(tree)
    return _secretariat_case(case, {"vote": vote.pk})


def _meeting_vote_cast(tree):
    case, _speaker, vote = _in_session(tree)
    del case["secretary"], case["member"]
    return {**case, "scopes": [scopes.ANSWER], "body": {"vote": vote.pk, "choice": "agree"}}


def _secretariat_case(case, body, close=None):
    from egov.cabinet.services import floor

    if close is not None:  # one open vote per item: make room for the new one
        floor.close_vote(close.opened_by, close)
    member = case.pop("member")
    insider = case.pop("secretary")
    return {
        **case,
        "insider": insider,
        "outsiders": [member.official.user, *case["outsiders"]],
        "scopes": [scopes.ISSUE],
        "body": body,
    }


def _meeting_minutes(tree):
    """A closed meeting; the secretariat official is the Government Office's clerk (the
    exchange's documents.send) and sends the sealed minutes to organisation B."""
    from egov.accounts.services import officials as official_services
    from egov.cabinet.models import Meeting
    from egov.cabinet.services import meetings

    pki = tempfile.mkdtemp(prefix="cabinet-matrix-")
    atexit.register(shutil.rmtree, pki, True)
    # The Government Office is organisation A here, and runs the hub.
    values = {
        "EGOV_PKI_DIR": pki,
        "EGOV_PKI_AUTO_CREATE": True,
        "EGOV_INSTANCE_ORG_CODE": tree.a.code,
    }
    case = _meeting(tree)
    meeting = Meeting.objects.get(number=case["id"])
    official_services.assign_role(meeting.scheduled_by, "clerk", tree.a, actor="test")
    meetings.attend(meeting.scheduled_by, meeting, case["member"])
    meetings.close(meeting.scheduled_by, meeting)
    return {
        **_secretariat_case(case, {"recipients": [tree.b.code]}),
        "settings": values,
    }


CASES = {
    (BASE, "get"): _read,
    (f"{BASE}answer/", "post"): _answer,
    (MEETING, "get"): _meeting_read,
    (f"{MEETING}mark/", "post"): _meeting_mark,
    (f"{MEETING}attend/", "post"): _meeting_attend,
    (f"{MEETING}conclude/", "post"): _meeting_conclude,
    (f"{MEETING}close/", "post"): _meeting_close,
    (f"{MEETING}floor/", "get"): _meeting_floor,
    (f"{MEETING}speak/", "post"): _meeting_speak,
    (f"{MEETING}speaker/", "post"): _meeting_speaker,
    (f"{MEETING}votes/", "post"): _meeting_vote_open,
    (f"{MEETING}cast/", "post"): _meeting_vote_cast,
    (f"{MEETING}record/", "post"): _meeting_vote_record,
    (f"{MEETING}close-vote/", "post"): _meeting_vote_close,
    (f"{MEETING}minutes/", "post"): _meeting_minutes,
}
