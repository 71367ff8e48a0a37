"""The command centre's remembered pages (dashboard_views, freshness.py; issue 18 §7): an
unchanged dashboard or drill-down reads no aggregate, every change that moves what they show
makes them afresh on the next page load (each change here commits, its bump run after the
commit as in production), and what is remembered for one reader is never shown to another
outside their scope."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egov.core.services import audit
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting import dashboard, dashboard_views, freshness
from egov.reporting.models import Indicator, Submission
from egov.reporting.services import approval
from egov.reporting.services.submissions import Entry
from egov.reporting.services.targets import set_target

from ..accounts.officials_support import make_official, tree  # noqa: F401
from .approval_support import MONTH, RATE, TOTAL, YEAR, approve, world  # noqa: F401
from .test_dashboard import figure_url, page, with_figures

BOARD = "/reporting/dashboard/"
AGGREGATES = "reporting_aggregate"


@pytest.fixture
def w(world, django_user_model):  # noqa: F811
    return with_figures(world, django_user_model)


@pytest.fixture
def builds(monkeypatch):
    """The dashboards built (dashboard.build called), in order."""
    made = []
    build = dashboard.build

    def counting(*args, **kwargs):
        made.append(kwargs.get("organisation"))
        return build(*args, **kwargs)

    monkeypatch.setattr(dashboard, "build", counting)
    return made


def total(client, user, url=BOARD):
    response = page(client, user, url)
    assert response.status_code == 200
    lines = {line.indicator.key: line for s in response.context["sections"] for line in s.lines}
    return lines[TOTAL]


def parts(client, user, url):
    response = page(client, user, url)
    assert response.status_code == 200
    return {p.organisation.code: p.value for p in response.context["parts"]}


def queries_of(client, user, url, warm=True):
    """The queries of one load of ``url``, the reader logged in before (page() logs in) and,
    if ``warm``, the page loaded once before."""
    client.force_login(user)
    params = {"regime": "dvc-thang", "year": YEAR, "number": MONTH}
    if "?" in url:
        url, query = url.split("?")
        params.update(dict(part.split("=") for part in query.split("&")))
    if warm:
        client.get(url, params, HTTP_ACCEPT_LANGUAGE="vi")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params, HTTP_ACCEPT_LANGUAGE="vi").status_code == 200
    return [q["sql"] for q in queries]


def test_an_unchanged_dashboard_reads_no_aggregate(w, client, django_capture_on_commit_callbacks):
    remembered = queries_of(client, w.people.app_c, BOARD)
    # Session, user, grants (2), central check: the reader's. The counters are one cache read
    # (a query with the database cache, none with the tests' locmem); the regimes, indicators,
    # aggregates, targets and egov's counts are remembered under them.
    assert not [sql for sql in remembered if AGGREGATES in sql]
    assert len(remembered) == 5
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        freshness.bump([freshness.FIGURES])
    rebuilt = queries_of(client, w.people.app_c, BOARD, warm=False)
    # And the regimes (the one shown among them), the indicators, the aggregates, the targets;
    # egov's count of the built-in indicator stays remembered (its own counter did not move),
    # the tables are found by their digest.
    assert len([sql for sql in rebuilt if AGGREGATES in sql]) == 1
    assert len(rebuilt) == len(remembered) + 4
    assert len(queries_of(client, w.people.app_c, BOARD)) == len(remembered)


def test_an_unchanged_drill_down_reads_no_aggregate(w, client, django_capture_on_commit_callbacks):
    url = figure_url(TOTAL, w.p)
    remembered = queries_of(client, w.people.app_c, url)
    # Session, user, grants (2), central check; the counters (a cache read).
    assert not [sql for sql in remembered if AGGREGATES in sql]
    assert len(remembered) == 5
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        freshness.bump([freshness.FIGURES])
    rebuilt = queries_of(client, w.people.app_c, url, warm=False)
    # And the regime, indicator and organisation, the node, its parts, its approval (none: no
    # report values nor signatures), the trend, the targets, the cross-check's organisations and
    # its count (builtin.py).
    assert len([sql for sql in rebuilt if AGGREGATES in sql]) == 3
    assert len(rebuilt) == len(remembered) + 10


def _commit(django_capture_on_commit_callbacks, change):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return change()


def test_an_approval_at_a_commune_shows_up_the_tree_on_the_next_load(
    w, client, django_capture_on_commit_callbacks
):
    assert total(client, w.people.app_c).value == 407
    assert total(client, w.people.app_p, f"{BOARD}{w.p.code}/").value == 400
    assert parts(client, w.people.app_c, figure_url(TOTAL))[w.p.code] == 400
    d = org_services.create_organisation(
        OrganisationData("000.00.09.H26", "Xã D", "commune", parent=w.p)
    )
    w.regime.organisations.add(d)
    _commit(django_capture_on_commit_callbacks, lambda: approve(w, d, **{TOTAL: "1000"}))
    assert total(client, w.people.app_c).value == 1407
    assert total(client, w.people.app_p, f"{BOARD}{w.p.code}/").value == 1400
    assert parts(client, w.people.app_c, figure_url(TOTAL))[w.p.code] == 1400
    assert parts(client, w.people.app_p, figure_url(TOTAL, w.p))[d.code] == 1000


def _act(w, name, organisation, **kwargs):
    return approval.act(
        actor=w.root,
        name=name,
        regime=w.regime,
        organisation=organisation,
        year=YEAR,
        number=MONTH,
        **kwargs,
    )


def test_an_unapproval_shows_on_the_next_load(w, client, django_capture_on_commit_callbacks):
    assert total(client, w.people.app_c).value == 407
    assert w.a.code in parts(client, w.people.app_p, figure_url(TOTAL, w.p))
    _commit(django_capture_on_commit_callbacks, lambda: _act(w, "unapprove", w.a))
    assert total(client, w.people.app_c).value == 307
    assert w.a.code not in parts(client, w.people.app_p, figure_url(TOTAL, w.p))


def test_a_revision_shows_on_the_next_load(w, client, django_capture_on_commit_callbacks):
    assert total(client, w.people.app_c).value == 407
    assert parts(client, w.people.app_c, figure_url(TOTAL, w.p))[w.a.code] == 100
    submission = Submission.objects.get(organisation=w.a, year=YEAR, number=MONTH)
    _commit(
        django_capture_on_commit_callbacks,
        lambda: approval.revise(
            actor=w.root,
            submission=submission,
            entries=[Entry(TOTAL, "150")],
            reason="Sót 50 hồ sơ",
        ),
    )
    assert total(client, w.people.app_c).value == 457
    assert parts(client, w.people.app_c, figure_url(TOTAL, w.p))[w.a.code] == 150


def test_a_target_shows_on_the_next_load(w, client, django_capture_on_commit_callbacks):
    indicator = Indicator.objects.get(key=TOTAL)
    assert total(client, w.people.app_c).judgement is None
    assert page(client, w.people.app_c, figure_url(TOTAL)).context["judgement"] is None

    def aim(low):
        return lambda: set_target(
            actor=w.root, indicator=indicator, direction="higher", low=Decimal(low)
        )

    _commit(django_capture_on_commit_callbacks, aim(500))
    assert total(client, w.people.app_c).judgement.state == "missed"
    assert page(client, w.people.app_c, figure_url(TOTAL)).context["judgement"].state == "missed"
    _commit(django_capture_on_commit_callbacks, aim(400))  # changed: met now
    assert total(client, w.people.app_c).judgement.state == "met"
    assert page(client, w.people.app_c, figure_url(TOTAL)).context["judgement"].state == "met"


def test_an_exemption_makes_the_dashboard_afresh(
    w, client, builds, django_capture_on_commit_callbacks
):
    d = org_services.create_organisation(
        OrganisationData("000.00.09.H26", "Xã D", "commune", parent=w.p)
    )
    w.regime.organisations.add(d)
    page(client, w.people.app_c, BOARD)
    page(client, w.people.app_c, BOARD)
    assert len(builds) == 1
    _commit(django_capture_on_commit_callbacks, lambda: _act(w, "exempt", d, reason="Lũ"))
    page(client, w.people.app_c, BOARD)
    assert len(builds) == 2
    # A refused act changes nothing but its audit row: nothing is made afresh.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit.record(actor=w.root, action="reporting.approve_refused", object_type="x", object_id=1)
    page(client, w.people.app_c, BOARD)
    assert len(builds) == 2


@pytest.mark.parametrize(
    ("action", "afresh"),
    [
        ("dossiers.received", True),  # egov's own counts (freshness.OWN_APPS)
        ("payments.paid", True),
        ("organisation.renamed", True),  # and the organisations' names
        ("assignments.task_assigned", False),  # the tiles' (remembered on their own)
    ],
)
def test_a_change_in_egovs_own_data_makes_the_dashboard_afresh(
    w, client, builds, django_capture_on_commit_callbacks, action, afresh
):
    page(client, w.people.app_c, BOARD)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit.record(actor=w.root, action=action, object_type="x", object_id=1)
    page(client, w.people.app_c, BOARD)
    assert len(builds) == (2 if afresh else 1)


def test_the_figures_counter_moves_after_the_commit_only(
    w, client, builds, django_capture_on_commit_callbacks
):
    """A page loaded before the commit keeps the old key (and the figures committed then)."""
    page(client, w.people.app_c, BOARD)
    before = freshness.versions()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _act(w, "unapprove", w.a)
        assert freshness.versions() == before
    after = freshness.versions()
    assert after[freshness.FIGURES] != before[freshness.FIGURES]
    assert after[freshness.OWN] == before[freshness.OWN]
    assert total(client, w.people.app_c).value == 307
    assert len(builds) == 2


def test_what_one_reader_loaded_is_never_shown_outside_anothers_scope(w, client, monkeypatch):
    """A national reader loads province P's dashboard and drill-down first (remembered); a
    reader of province Q still may not read them, and a reader of P's own figures (not its
    subtree) sees none of its communes."""
    made = []
    drill_data = dashboard_views._drill_data
    monkeypatch.setattr(
        dashboard_views, "_drill_data", lambda *args: made.append(1) or drill_data(*args)
    )
    p_board = f"{BOARD}{w.p.code}/"
    assert page(client, w.people.app_c, p_board).status_code == 200
    assert set(parts(client, w.people.app_c, figure_url(TOTAL, w.p))) == {w.a.code, w.b.code}
    assert page(client, w.people.app_q, p_board).status_code == 403
    assert page(client, w.people.app_q, figure_url(TOTAL, w.p)).status_code == 403
    assert page(client, w.people.app_p, BOARD).status_code == 302  # to P's own dashboard
    assert page(client, w.people.app_p, figure_url(TOTAL)).status_code == 403
    only_p = make_official("rep_p", w.p, "reporter").user
    response = page(client, only_p, figure_url(TOTAL, w.p))
    assert response.status_code == 200
    assert response.context["parts"] == [] and response.context["parts_sum"] == 0
    assert response.context["check"]["parts"] == []
    assert w.a.name not in response.content.decode()
    # The subtree's reader sees both communes, in the cross-check too.
    response = page(client, w.people.app_p, figure_url(TOTAL, w.p))
    assert {p.organisation.code for p in response.context["parts"]} == {w.a.code, w.b.code}
    assert len(response.context["check"]["parts"]) == 2
    assert len(made) == 1  # read once, whoever reads it
    # The body rendered for the subtree's reader is not the one the P-only reader gets.
    again = page(client, only_p, figure_url(TOTAL, w.p))
    assert again.context["parts"] == [] and w.a.name not in again.content.decode()


def test_the_memo_key_holds_the_language(w, client, builds):
    page(client, w.people.app_c, BOARD)
    english = client.get(
        BOARD, {"regime": "dvc-thang", "year": YEAR, "number": MONTH}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 200 and len(builds) == 2
    assert RATE in {line.indicator.key for s in english.context["sections"] for line in s.lines}


def test_a_renamed_organisation_shows_on_the_next_load(
    w, client, django_capture_on_commit_callbacks
):
    """The organisations a page looks up by code are remembered too (under freshness.OWN):
    a change on the tree shows on the next load of the dashboard and the drill-down."""
    p_board = f"{BOARD}{w.p.code}/"
    assert page(client, w.people.app_p, p_board).context["organisation"].name == "Tỉnh P"
    assert page(client, w.people.app_p, figure_url(TOTAL, w.p)).context["organisation"].name == (
        "Tỉnh P"
    )
    _commit(
        django_capture_on_commit_callbacks,
        lambda: org_services.update_organisation(w.p, actor=w.root, name="Tỉnh P mới"),
    )
    assert "Tỉnh P mới" in page(client, w.people.app_p, p_board).content.decode()
    assert "Tỉnh P mới" in page(client, w.people.app_p, figure_url(TOTAL, w.p)).content.decode()
