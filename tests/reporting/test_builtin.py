"""Built-in indicators and cross-checks (builtin.py): the dossiers received in March 2025's
Decree 09 window (15/02 to 14/03, local days) counted from real dossiers, set beside the approved
reports with the gap, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.dossiers import services as dossier_services
from egov.reporting import builtin
from egov.reporting.models import Indicator
from egov.reporting.services.regimes import create_regime

from ..accounts.officials_support import make_official
from ..dossiers.core_support import make_world, walk_in
from ..dossiers.core_support import submit as submit_online
from .approval_support import MONTH, RATE, TOTAL, YEAR, approve

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return dt.datetime(*args, tzinfo=HCM)


def walk_in_at(w, moment, **extra):
    with freeze_time(moment):
        return walk_in(w, **extra)


@pytest.fixture
def w(db, django_user_model):
    w = make_world()
    w.root = django_user_model.objects.create_superuser("root", password=None)
    w.regime = create_regime(
        actor="test",
        code="dvc-thang",
        name="Báo cáo thủ tục hành chính hằng tháng",
        kind="periodic",
        periodicity="month",
        stages={"commune": 2, "province": 5},
        indicators=Indicator.objects.filter(key__in=[TOTAL, RATE]),
        organisations=[w.a, w.b],
    )
    # Inside the window: its first local minute (17:30 UTC on 14/02) and its last.
    walk_in_at(w, at(2025, 2, 15, 0, 30))
    walk_in_at(w, at(2025, 3, 14, 23, 30))
    # Outside: the minute before it opens, the minute after the cut-off (April's window).
    walk_in_at(w, at(2025, 2, 14, 23, 59))
    walk_in_at(w, at(2025, 3, 15, 0, 10))
    # Submitted online in the window, received in it: counted once, at its reception.
    with freeze_time(at(2025, 3, 2, 9)):
        online = submit_online(w)
    with freeze_time(at(2025, 3, 3, 9)):
        dossier_services.receive(online, actor=w.desk.user)
    # Submitted online but never received: not a dossier received.
    with freeze_time(at(2025, 3, 4, 9)):
        submit_online(w)
    for day in (1, 2):
        walk_in_at(w, at(2025, 3, day, 10), actor=w.desk_b.user, organisation=w.b)
    approve(w, w.a, **{TOTAL: "3", RATE: "50"})
    approve(w, w.b, **{TOTAL: "4", RATE: "10"})
    return w


def figure(client, user, key, organisation=None):
    client.force_login(user)
    url = f"/reporting/dashboard/figure/dvc-thang/{key}/{YEAR}/{MONTH}/"
    params = {"organisation": organisation.code} if organisation else {}
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="vi")


def test_the_window_is_decree_09s_in_local_days(w):
    start, end = builtin.bounds(w.regime, YEAR, MONTH)
    assert start == at(2025, 2, 15) and end == at(2025, 3, 15)
    with CaptureQueriesContext(connection) as queries:
        node, parts = builtin.received(start, end, w.p, [w.a, w.b, w.q])
    assert len(queries) == 1
    assert node == 5 and parts == {w.a.pk: 3, w.b.pk: 2, w.q.pk: 0}
    assert builtin.received(start, end, None, [])[0] == 5
    assert builtin.received(start, end, w.q, [])[0] == 0


def test_the_drill_down_sets_the_report_beside_egovs_count_with_the_gap(w, client):
    check = figure(client, w.root, TOTAL, w.p).context["check"]
    assert check["start"] == dt.date(2025, 2, 15) and check["end"] == dt.date(2025, 3, 14)
    node = check["node"]
    assert (node["reported"], node["computed"], node["gap"]) == (7, 5, 2)
    assert node["percent"] == Decimal("40.0")
    rows = {r["organisation"].code: r for r in check["parts"]}
    assert (rows[w.a.code]["computed"], rows[w.a.code]["gap"]) == (3, 0)
    assert rows[w.a.code]["percent"] == 0
    assert (rows[w.b.code]["reported"], rows[w.b.code]["computed"]) == (4, 2)
    assert (rows[w.b.code]["gap"], rows[w.b.code]["percent"]) == (2, Decimal("100.0"))
    body = figure(client, w.root, TOTAL, w.p).content.decode()
    assert "Đối chiếu với dữ liệu của hệ thống" in body and "100 %" in body and "40 %" in body
    # The nation: province P and Q one level down; Q reported nothing and received nothing.
    nation = figure(client, w.root, TOTAL).context["check"]
    assert (nation["node"]["reported"], nation["node"]["computed"]) == (7, 5)
    rows = {r["organisation"].code: r for r in nation["parts"]}
    assert rows[w.q.code]["reported"] is None and rows[w.q.code]["gap"] is None
    assert rows[w.q.code]["computed"] == 0
    # A commune, whose parts are none.
    commune = figure(client, w.root, TOTAL, w.b).context["check"]
    assert (commune["node"]["gap"], commune["parts"]) == (2, [])
    # An indicator egov does not compute has no cross-check.
    assert figure(client, w.root, RATE, w.p).context["check"] is None


def test_a_commune_that_did_not_report_shows_its_count_and_no_gap(w, client):
    c = org_services.create_organisation(
        OrganisationData("000.00.03.H26", "Xã C", "commune", parent=w.p)
    )
    desk = make_official("desk_c", c, "desk")
    walk_in_at(w, at(2025, 3, 5, 8), actor=desk.user, organisation=c)
    rows = {
        r["organisation"].code: r
        for r in figure(client, w.root, TOTAL, w.p).context["check"]["parts"]
    }
    assert rows[c.code]["reported"] is None and rows[c.code]["computed"] == 1
    assert rows[c.code]["gap"] is None


def _count(client, user, organisation):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = figure(client, user, TOTAL, organisation)
    assert response.status_code == 200
    return len(queries)


def test_the_cross_checks_queries_do_not_grow_with_the_parts(w, client):
    before = _count(client, w.root, w.p)
    for n in range(3, 8):
        c = org_services.create_organisation(
            OrganisationData(f"000.00.0{n}.H26", f"Xã {n}", "commune", parent=w.p)
        )
        desk = make_official(f"desk_{n}", c, "desk")
        walk_in_at(w, at(2025, 3, 5, 8), actor=desk.user, organisation=c)
    assert _count(client, w.root, w.p) == before
    assert figure(client, w.root, TOTAL, w.p).context["check"]["node"]["computed"] == 10


def test_the_dashboard_shows_egovs_count_and_the_gap_under_the_figure(w, client):
    client.force_login(w.root)
    params = {"regime": "dvc-thang", "year": YEAR, "number": MONTH}
    board = client.get(f"/reporting/dashboard/{w.p.code}/", params, HTTP_ACCEPT_LANGUAGE="vi")
    lines = {line.indicator.key: line for s in board.context["sections"] for line in s.lines}
    assert lines[TOTAL].check == {
        "reported": 7,
        "computed": 5,
        "gap": 2,
        "percent": Decimal("40.0"),
    }
    assert lines[RATE].check is None
    body = board.content.decode()
    assert "hệ thống tính 5" in body and "#cross-check" in body
