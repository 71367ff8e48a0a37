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
from egov.reporting.services import approval
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
        node, parts = builtin.computed_many([TOTAL], (start, end), w.p, [w.a, w.b, w.q])[TOTAL]
    assert len(queries) == 1
    assert node == 5 and parts == {w.a.pk: 3, w.b.pk: 2, w.q.pk: 0}
    assert builtin.computed_many([TOTAL], (start, end), None)[TOTAL][0] == 5
    assert builtin.computed_many([TOTAL], (start, end), w.q)[TOTAL][0] == 0


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


def test_the_on_time_rate_is_the_dossiers_apps_rule_as_the_service_index_counts_it(w):
    """Finished in the window (15/02 to 14/03), by the processing agency: early and on time
    count (one supplement request allowed, Decision 766), late does not."""
    from egov.serviceindex.indicators import handled_on_time
    from egov.serviceindex.periods import Period

    from ..serviceindex.support import dossier

    [
        dossier(w, w.a, received="2025-02-20", processed="2025-03-01", timeliness="early"),
        dossier(w, w.a, received="2025-02-21", processed="2025-03-02", timeliness="late"),
        dossier(w, w.a, received="2025-02-22", processed="2025-03-03", timeliness="on_time"),
        dossier(
            w,
            w.a,
            received="2025-02-23",
            processed="2025-03-04",
            timeliness="on_time",
            supplement=True,
        ),
        dossier(w, w.b, received="2025-02-24", processed="2025-03-05", timeliness="on_time"),
        # Finished before the window opens: not counted.
        dossier(w, w.b, received="2025-02-01", processed="2025-02-10", timeliness="late"),
        # Not finished: not counted.
        dossier(w, w.b, received="2025-03-01"),
    ]
    span = builtin.bounds(w.regime, YEAR, MONTH)
    with CaptureQueriesContext(connection) as queries:
        figures = builtin.computed_many([builtin.ON_TIME, TOTAL], span, w.p, [w.a, w.b, w.q])
    assert len(queries) == 1  # both dossiers' indicators in one query
    node, parts = figures[builtin.ON_TIME]
    assert node == Decimal("80.00")  # 4 of 5
    assert parts == {w.a.pk: Decimal("75.00"), w.b.pk: Decimal("100.00"), w.q.pk: None}
    # The service index's 2.1 over calendar March (the same dossiers: none finished between
    # 15 and 31 March) counts the same share.
    counted = handled_on_time(Period("month", 2025, 3), {}, None)
    mine = counted.denominator.filter(organisation__path__startswith=w.p.path)
    assert Decimal(100) * mine.filter(counted.numerator).count() / mine.count() == node


def test_the_online_payment_rate_counts_settled_payments_by_gateway(w):
    from egov.payments.models import Payment

    from ..serviceindex.support import fee_dossier

    fee_dossier(w, w.a, received="2025-03-01", amount=50_000, paid_online=True)
    fee_dossier(w, w.a, received="2025-03-02", amount=50_000, paid_online=True)
    fee_dossier(w, w.a, received="2025-03-03", amount=50_000, paid_online=False)
    fee_dossier(w, w.b, received="2025-03-04", amount=20_000, paid_online=False)
    # Settled after the cut-off (April's window), and one not paid: not counted.
    fee_dossier(w, w.b, received="2025-03-20", amount=20_000, paid_online=True)
    pending = fee_dossier(w, w.b, received="2025-03-05", amount=20_000, paid_online=True)
    Payment.objects.filter(dossier=pending).update(status="pending", settled_at=None)
    span = builtin.bounds(w.regime, YEAR, MONTH)
    node, parts = builtin.computed_many([builtin.ONLINE_PAYMENT], span, w.p, [w.a, w.b, w.q])[
        builtin.ONLINE_PAYMENT
    ]
    assert node == Decimal("50.00")
    assert parts == {w.a.pk: Decimal("66.67"), w.b.pk: Decimal("0.00"), w.q.pk: None}
    assert builtin.computed_many([builtin.ONLINE_PAYMENT], span, None)[builtin.ONLINE_PAYMENT][
        0
    ] == Decimal("50.00")


def test_a_rate_is_cross_checked_on_the_drill_down_and_the_dashboard(w, client):
    from ..serviceindex.support import dossier

    dossier(w, w.a, received="2025-02-20", processed="2025-03-01", timeliness="early")
    dossier(w, w.a, received="2025-02-21", processed="2025-03-02", timeliness="late")
    w.regime.indicators.add(Indicator.objects.get(key=builtin.ON_TIME))
    check = figure(client, w.root, builtin.ON_TIME, w.p).context["check"]
    assert check["node"]["reported"] is None and check["node"]["computed"] == 50
    rows = {r["organisation"].code: r for r in check["parts"]}
    assert rows[w.b.code]["computed"] is None and rows[w.b.code]["gap"] is None
    body = figure(client, w.root, builtin.ON_TIME, w.p).content.decode()
    assert "tính theo cơ quan giải quyết" in body
    params = {"regime": "dvc-thang", "year": YEAR, "number": MONTH}
    board = client.get(f"/reporting/dashboard/{w.p.code}/", params, HTTP_ACCEPT_LANGUAGE="vi")
    lines = {line.indicator.key: line for s in board.context["sections"] for line in s.lines}
    assert lines[builtin.ON_TIME].check["computed"] == 50
    assert lines[builtin.ON_TIME].check["gap"] is None


def test_the_dashboards_count_is_remembered_until_a_dossier_changes(
    w, client, django_capture_on_commit_callbacks
):
    """egov's own counts are remembered in the process (freshness.py, issue 18 §7) under the
    dossiers' version counter: the same count is not queried again, and a dossier received
    shows on the next page load."""
    client.force_login(w.root)
    params = {"regime": "dvc-thang", "year": YEAR, "number": MONTH}
    url = f"/reporting/dashboard/{w.p.code}/"

    def check():
        board = client.get(url, params, HTTP_ACCEPT_LANGUAGE="vi")
        lines = {line.indicator.key: line for s in board.context["sections"] for line in s.lines}
        return lines[TOTAL].check

    def computed():
        return check()["computed"]

    assert computed() == 5
    with CaptureQueriesContext(connection) as queries:
        assert computed() == 5
    assert not [q for q in queries if "dossiers_dossier" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        walk_in_at(w, at(2025, 3, 6, 9), actor=w.desk_b.user, organisation=w.b)
    assert computed() == 6
    # A change this app makes (an approval) moves no counter: the count stays remembered.
    with django_capture_on_commit_callbacks(execute=True):
        approval.act(
            actor=w.root,
            name="unapprove",
            regime=w.regime,
            organisation=w.b,
            year=YEAR,
            number=MONTH,
        )
    with CaptureQueriesContext(connection) as queries:
        assert check() == {"reported": 3, "computed": 6, "gap": -3, "percent": Decimal("-50.0")}
    assert not [q for q in queries if "dossiers_dossier" in q["sql"]]


def test_each_built_in_indicator_declares_the_apps_it_counts_from():
    """What a built-in indicator reads moves the command centre's remembered counts
    (freshness.OWN): its table's app and the organisation tree its subtree filter walks; the
    counter follows those apps' acts and no other's."""
    from egov.core.models import AuditEntry
    from egov.reporting import freshness

    for key, indicator in builtin.REGISTRY.items():
        assert {indicator.table, "organisation"} <= indicator.reads, key
    assert {"dossiers", "payments", "organisation"} == freshness.OWN_APPS

    def moves_own(action):
        return freshness.OWN in freshness.COUNTERS.moved([AuditEntry(action=action)])

    assert moves_own("payments.record_at_desk") and moves_own("organisation.update")
    assert not moves_own("petitions.react")
    assert not moves_own("dossiers.application_refused")  # refused: nothing changed
