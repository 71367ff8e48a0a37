"""The e-Cabinet's API: ballots with scopes, signed answers, bad input as 4xx."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from egov.accounts.signing import holder_of_official
from egov.cabinet import answers
from egov.cabinet.models import Answer, Ballot
from egov.cabinet.services import ballots

from .conftest import issue


def _client(official):
    client = APIClient()
    client.force_authenticate(official.user)
    return client


def _document(ballot, member, signer, choice="agree", text=""):
    content = ballots.content_for(ballot, ballot.questions.first(), member, signer, choice, text)
    return answers.sign(content, holder_of_official(signer)).decode()


def test_the_secretariat_issues_through_the_api(gov):
    client = _client(gov.secretary)
    response = client.post(
        "/api/v1/cabinet/ballots/",
        {"title": "Nghị quyết", "questions": ["Thông qua?"], "working_days": 2},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["members_count"] == 27
    bad = client.post(
        "/api/v1/cabinet/ballots/",
        {"title": "x", "questions": [], "working_days": 2},
        format="json",
    )
    assert bad.status_code == 400 and "câu hỏi" in bad.content.decode()
    assert Ballot.objects.count() == 1
    member = _client(gov.members[2].official).post(
        "/api/v1/cabinet/ballots/",
        {"title": "x", "questions": ["q"], "working_days": 2},
        format="json",
    )
    assert member.status_code == 403


def test_a_signed_answer_arrives_through_the_api(gov):
    ballot = issue(gov)
    member = gov.members[4]
    client = _client(member.official)
    url = f"/api/v1/cabinet/ballots/{ballot.number}/answer/"
    response = client.post(
        url, {"document": _document(ballot, member, member.official)}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["choice"] == "agree"
    again = client.post(
        url, {"document": _document(ballot, member, member.official)}, format="json"
    )
    assert again.status_code == 400 and "không thể thay đổi" in again.content.decode()
    other = gov.members[5]
    stolen = _document(ballot, other, member.official)  # signed by another person
    response = _client(other.official).post(url, {"document": stolen}, format="json")
    assert response.status_code == 400
    assert Answer.objects.count() == 1
    detail = client.get(f"/api/v1/cabinet/ballots/{ballot.number}/").json()
    assert detail["tally"][0]["agree"] == 1 and detail["tally"][0]["agree_needed"] == 13


def test_answers_after_the_result_are_409(gov):
    ballot = issue(gov)
    for m in gov.members[:14]:
        ballots.answer_as(m.official.user, ballot, ballot.questions.first(), "agree")
    late = gov.members[20]
    response = _client(late.official).post(
        f"/api/v1/cabinet/ballots/{ballot.number}/answer/",
        {"document": _document(ballot, late, late.official)},
        format="json",
    )
    assert response.status_code == 409


@pytest.mark.parametrize("count", [1, 5])
def test_the_list_has_a_bounded_number_of_queries(gov, count):
    for _ in range(count):
        issue(gov)
    client = _client(gov.members[1].official)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/cabinet/ballots/")
    assert response.status_code == 200 and response.json()["count"] == count
    assert len(queries) <= 12


def test_a_member_not_asked_gets_404(gov):
    ballot = issue(gov, members=[gov.members[1].pk])
    assert (
        _client(gov.members[2].official)
        .get(f"/api/v1/cabinet/ballots/{ballot.number}/")
        .status_code
        == 404
    )
    assert _client(gov.outsider).get("/api/v1/cabinet/ballots/").status_code == 403


def test_a_classified_document_is_refused_through_the_api(gov):
    response = _client(gov.secretary).post(
        "/api/v1/cabinet/ballots/",
        {
            "title": "Nghị quyết",
            "questions": ["Thông qua?"],
            "working_days": 2,
            "documents": [{"title": "Báo cáo", "classification": "secret", "exchange_document": 1}],
        },
        format="json",
    )
    assert response.status_code == 400 and "mật" in response.content.decode()
    assert not Ballot.objects.exists()
