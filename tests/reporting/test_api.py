"""The submissions API: 201 with the values; 400 in Vietnamese with nothing written; warnings
confirmed by sending again; reading back in a bounded number of queries."""

import pytest

from egov.reporting.models import Submission

from ..accounts.officials_support import make_official, tree  # noqa: F401
from .submission_support import TOTAL, body, make_regime

URL = "/api/v1/reporting/submissions/"


@pytest.fixture
def world(tree, client):  # noqa: F811
    regime = make_regime(tree.a, tree.b)
    client.force_login(make_official("rep_a", tree.a, "reporter").user)
    return regime, tree, client


def _post(client, data):
    return client.post(URL, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi")


def test_submit_then_read_back(world, django_assert_num_queries):
    regime, t, client = world
    response = _post(client, body(regime, t.a))
    assert response.status_code == 201, response.content
    got = response.json()
    assert got["organisation_name"] == t.a.name
    assert {v["indicator"]: v["value"] for v in got["values"]}[TOTAL] == "120.000000"
    with django_assert_num_queries(6):  # session, user, grants, submission, values (+ roles)
        read = client.get(f"{URL}{got['id']}/")
    assert read.status_code == 200 and read.json() == got


def test_a_value_carries_its_comment(world):
    regime, t, client = world
    data = body(regime, t.a)
    data["values"][0]["comment"] = "  Gồm 3 hồ sơ nhận qua bưu chính  "
    response = _post(client, data)
    assert response.status_code == 201, response.content
    comments = {v["indicator"]: v["comment"] for v in response.json()["values"]}
    assert comments[TOTAL] == "Gồm 3 hồ sơ nhận qua bưu chính"
    assert sorted(comments.values()).count("") == 2
    data["values"][0]["comment"] = "x" * 2001
    assert _post(client, data).status_code == 400


def test_a_blocking_rule_answers_400_in_vietnamese(world):
    regime, t, client = world
    values = [
        {"indicator": TOTAL, "value": "10"},
        {"indicator": "svc_online_dossier_rate", "value": "45"},
    ]
    response = _post(client, body(regime, t.a, values=values))
    assert response.status_code == 400
    assert "phải" in response.json()["message"]
    assert not Submission.objects.exists()


def test_warnings_are_confirmed_by_sending_again(world):
    regime, t, client = world
    values = [
        {"indicator": TOTAL, "value": "120"},
        {"indicator": "svc_online_dossier_rate", "value": "30"},
        {"indicator": "svc_on_time_rate", "value": "90"},
    ]
    first = _post(client, body(regime, t.a, values=values))
    assert first.status_code == 400 and first.json()["fields"]["warnings"]
    assert not Submission.objects.exists()
    again = _post(client, body(regime, t.a, values=values, confirm_warnings=True))
    assert again.status_code == 201 and again.json()["warnings"]


@pytest.mark.parametrize(
    "changes",
    [
        {"regime": "none"},
        {"organisation": "000.00.00.G99"},
        {"values": []},
        {"number": 0},
        {"values": [{"indicator": TOTAL, "value": "x"}]},
    ],
)
def test_bad_requests_answer_400(world, changes):
    regime, t, client = world
    assert _post(client, {**body(regime, t.a), **changes}).status_code == 400
    assert not Submission.objects.exists()


def test_another_communes_reporter_gets_403(world):
    regime, t, client = world
    client.force_login(make_official("rep_b", t.b, "reporter").user)
    assert _post(client, body(regime, t.a)).status_code == 403
