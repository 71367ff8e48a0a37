"""The approval and aggregation API: acts with Vietnamese refusals, a live national total after a
commune's approval, a drill-down whose parts sum to the figure (in a bounded number of
queries), completeness and timeliness, and the caller's scope on every read."""

from decimal import Decimal

import pytest

from egov.reporting.models import Approval, Revision

from ..accounts.officials_support import tree  # noqa: F401
from .approval_support import MONTH, NATIONAL, RATE, TOTAL, YEAR, send, world  # noqa: F401

BASE = "/api/v1/reporting/"


def unit(w, organisation, **more):
    return {
        "regime": w.regime.code,
        "organisation": organisation.code,
        "year": YEAR,
        "number": MONTH,
        **more,
    }


def post(client, user, path, data):
    client.force_login(user)
    return client.post(
        BASE + path, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi"
    )


def get(client, user, path, **params):
    client.force_login(user)
    return client.get(BASE + path, params, HTTP_ACCEPT_LANGUAGE="vi")


def figure_params(w, key, organisation=None):
    params = {"regime": w.regime.code, "indicator": key, "year": YEAR, "number": MONTH}
    if organisation is not None:
        params["organisation"] = organisation.code
    return params


def test_a_communes_approval_shows_in_the_national_total_on_the_next_read(world, client):  # noqa: F811
    w, people = world, world.people
    send(w, w.a, people.rep_a, **{TOTAL: "100", RATE: "50"})
    national = get(client, people.app_c, "aggregates/", **figure_params(w, TOTAL))
    assert national.status_code == 200 and national.json()["value"] is None
    approved = post(client, people.app_a, "approvals/approve/", unit(w, w.a))
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    assert approved.json()["approved_by"] == "app_a"
    national = get(client, people.app_c, "aggregates/", **figure_params(w, TOTAL))
    assert Decimal(national.json()["value"]) == 100
    province = get(client, people.app_p, "aggregates/", **figure_params(w, TOTAL, w.p))
    assert Decimal(province.json()["value"]) == 100


def test_the_drill_down_sums_to_the_figure_down_to_the_submissions(
    world,  # noqa: F811
    client,
    django_assert_max_num_queries,
):
    w, people = world, world.people
    send(w, w.a, people.rep_a, **{TOTAL: "100", RATE: "50"})
    send(w, w.b, people.rep_b, **{TOTAL: "300", RATE: "10"})
    send(w, w.c, people.rep_c, **{TOTAL: "7", RATE: "90", NATIONAL: "3.1"})
    for organisation, approver in ((w.a, people.app_a), (w.b, people.app_b), (w.c, people.app_c)):
        assert (
            post(client, approver, "approvals/approve/", unit(w, organisation)).status_code == 200
        )
    client.force_login(people.app_c)
    get(client, people.app_c, "aggregates/", **figure_params(w, TOTAL))  # warm the session
    # Session, user, grants (2), regime, indicator, central check, the node, its parts.
    with django_assert_max_num_queries(9):
        nation = client.get(BASE + "aggregates/", figure_params(w, TOTAL)).json()
    assert nation["additive"] and Decimal(nation["value"]) == 407
    parts = {p["organisation"]: Decimal(p["value"]) for p in nation["parts"]}
    assert parts == {w.p.code: 400, w.c.code: 7} and sum(parts.values()) == 407
    client.force_login(people.app_p)
    # The same, with the organisation and its own approval.
    with django_assert_max_num_queries(11):
        province = client.get(BASE + "aggregates/", figure_params(w, TOTAL, w.p)).json()
    communes = {p["organisation"]: Decimal(p["value"]) for p in province["parts"]}
    assert communes == {w.a.code: 100, w.b.code: 300}
    assert sum(communes.values()) == Decimal(province["value"])
    with django_assert_max_num_queries(12):  # and its approved values, with their reporters
        commune = client.get(BASE + "aggregates/", figure_params(w, TOTAL, w.a)).json()
    (source,) = commune["own"]
    assert Decimal(source["value"]) == 100 and source["submitted_by"] == "rep_a"
    assert source["approved_by"] == "app_a" and source["status"] == "approved"
    # The weighted figure drills down with its weights.
    rate = get(client, people.app_p, "aggregates/", **figure_params(w, RATE, w.p)).json()
    assert Decimal(rate["value"]) == 20 and not rate["additive"]
    assert {Decimal(p["weight"]) for p in rate["parts"]} == {100, 300}
    # National only: the central body's figure.
    inflation = get(client, people.app_c, "aggregates/", **figure_params(w, NATIONAL)).json()
    assert Decimal(inflation["value"]) == Decimal("3.1")


def test_reads_check_the_callers_scope(world, client, django_assert_max_num_queries):  # noqa: F811
    w, people = world, world.people
    assert (
        get(client, people.app_q, "aggregates/", **figure_params(w, TOTAL, w.p)).status_code == 403
    )
    assert get(client, people.app_p, "aggregates/", **figure_params(w, TOTAL)).status_code == 403
    assert get(client, people.app_q, "approvals/", **unit(w, w.a)).status_code == 403
    refused = post(client, people.app_q, "approvals/approve/", unit(w, w.p))
    assert refused.status_code == 403
    # A province's approver sees its communes in the drill-down; the other province's does not.
    send(w, w.a, people.rep_a, **{TOTAL: "100", RATE: "50"})
    post(client, people.app_a, "approvals/approve/", unit(w, w.a))
    get(client, people.app_p, "approvals/", **unit(w, w.p))  # the session warmed
    # Session, user, grants (2), regime, organisation, reporting organisations below,
    # approvals, the report, the lower units' names: the same for 2 communes or 3,000.
    with django_assert_max_num_queries(10):
        read = client.get(BASE + "approvals/", unit(w, w.p))
    assert read.status_code == 200
    body = read.json()
    assert body["state"] == "waiting"
    assert {x["organisation"]: x["status"] for x in body["lower"]} == {
        w.a.code: "approved",
        w.b.code: "unapproved",
    }
    assert body["acts"] == ["exempt"] or set(body["acts"]) <= {"exempt", "unexempt"}


@pytest.mark.parametrize(
    "path, changes",
    [
        ("approvals/approve/", {"regime": "khong-co"}),
        ("approvals/approve/", {"organisation": "000.00.99.H99"}),
        ("approvals/approve/", {"number": 13}),
        ("approvals/approve/", {"year": "x"}),
        ("approvals/publish/", {}),
    ],
)
def test_bad_input_answers_400_in_vietnamese(world, client, path, changes):  # noqa: F811
    w = world
    response = post(client, w.people.app_a, path, {**unit(w, w.a), **changes})
    assert response.status_code == 400, response.content
    assert response.json()["message"]
    assert not Approval.objects.filter(status="approved").exists()


def test_refusals_are_in_vietnamese_and_write_nothing(world, client):  # noqa: F811
    w, people = world, world.people
    send(w, w.a, people.rep_a, **{TOTAL: "100", RATE: "50"})
    refused = post(client, people.app_p, "approvals/approve/", unit(w, w.p))
    assert refused.status_code == 400 and "cấp dưới" in refused.json()["message"]
    no_reason = post(client, people.app_p, "approvals/exempt/", unit(w, w.b, reason=""))
    assert no_reason.status_code == 400 and "lý do" in no_reason.json()["message"]
    post(client, people.app_a, "approvals/approve/", unit(w, w.a))
    post(client, people.app_p, "approvals/accept/", unit(w, w.a))
    top_down = post(client, people.app_a, "approvals/unapprove/", unit(w, w.a))
    assert top_down.status_code == 400 and "từ trên xuống" in top_down.json()["message"]
    assert Approval.objects.get(organisation=w.a).status == "accepted"


def test_a_revision_through_the_api(world, client, django_assert_max_num_queries):  # noqa: F811
    w, people = world, world.people
    submission = send(w, w.a, people.rep_a, **{TOTAL: "100", RATE: "50"})
    data = {
        "submission": submission.pk,
        "reason": "Sót hồ sơ",
        "values": [{"indicator": TOTAL, "value": "110"}],
    }
    early = post(client, people.app_a, "revisions/", data)
    assert early.status_code == 400 and "chưa được phê duyệt" in early.json()["message"]
    post(client, people.app_a, "approvals/approve/", unit(w, w.a))
    done = post(client, people.app_a, "revisions/", data)
    assert done.status_code == 201, done.content
    assert done.json()["changes"][0]["after"] == "110" and done.json()["made_by"] == "app_a"
    client.force_login(people.rep_a)
    client.get(BASE + "revisions/", {"submission": submission.pk})
    with django_assert_max_num_queries(6):  # session, user, grants (2), revisions with authors
        listed = client.get(BASE + "revisions/", {"submission": submission.pk}).json()
    assert [(r["number"], r["reason"], r["made_by"]) for r in listed] == [(1, "Sót hồ sơ", "app_a")]
    hidden = get(client, people.app_q, "revisions/", submission=submission.pk).json()
    assert hidden == []  # another province's approver sees none of them
    other = post(client, people.app_q, "revisions/", {**data, "reason": "x"})
    assert other.status_code == 400  # not in its scope: unknown to it
    assert Revision.objects.count() == 1


def test_completeness_and_timeliness_per_level(world, client, django_assert_max_num_queries):  # noqa: F811
    w, people = world, world.people
    send(w, w.a, people.rep_a, **{TOTAL: "100", RATE: "50"})  # years late
    post(client, people.app_a, "approvals/approve/", unit(w, w.a))
    client.force_login(people.app_p)
    params = {"regime": w.regime.code, "year": YEAR, "number": MONTH}
    client.get(BASE + "completeness/", params)
    with django_assert_max_num_queries(10):
        rows = client.get(BASE + "completeness/", params).json()
    (commune,) = rows  # the province's approver sees its two communes
    assert commune["level"] == "commune" and commune["expected"] == 2
    assert (commune["received"], commune["on_time"], commune["approved"]) == (1, 0, 1)
    assert Decimal(commune["completeness"]) == 50 and Decimal(commune["timeliness"]) == 0
    year = get(client, people.app_c, "completeness/", regime=w.regime.code, year=YEAR).json()
    # Expected = assigned organisations x periods: the central body, 12 months.
    assert sum(r["expected"] for r in year) == 12 and {r["level"] for r in year} == {"central"}
