"""Targets: a figure judged met / near / missed against the most specific target (in words and
the design system's tag colours, no colour where none is set), on the dashboard and the
drill-down without more queries as targets or indicators are added, and set through an API for
administrators (audited, scoped, bad input answered 400 in Vietnamese)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting import targets as goals
from egov.reporting.models import Indicator, Target
from egov.reporting.services import targets as targets_service
from egov.reporting.services.targets import remove_target, set_target

from ..accounts.officials_support import make_official
from .approval_support import MONTH, RATE, TOTAL, YEAR, world  # noqa: F401
from .test_dashboard import figure_url, page, with_figures

API = "/api/v1/reporting/targets/"


@pytest.fixture
def w(world, django_user_model):  # noqa: F811
    return with_figures(world, django_user_model)


def target(**terms):
    defaults = {"year": 0, "number": 0, "near_percent": Decimal(5), "low": None, "high": None}
    return Target(**{**defaults, **terms})


@pytest.mark.parametrize(
    ("terms", "value", "state"),
    [
        ({"direction": "higher", "low": Decimal(100)}, Decimal(100), "met"),
        ({"direction": "higher", "low": Decimal(100)}, Decimal(95), "near"),
        ({"direction": "higher", "low": Decimal(100)}, Decimal("94.9"), "missed"),
        ({"direction": "lower", "high": Decimal(4)}, Decimal(4), "met"),
        ({"direction": "lower", "high": Decimal(4)}, Decimal("4.2"), "near"),
        ({"direction": "lower", "high": Decimal(4)}, Decimal("4.21"), "missed"),
        ({"direction": "band", "low": Decimal(2), "high": Decimal(4)}, Decimal(3), "met"),
        ({"direction": "band", "low": Decimal(2), "high": Decimal(4)}, Decimal("1.9"), "near"),
        ({"direction": "band", "low": Decimal(2), "high": Decimal(4)}, Decimal(5), "missed"),
        (
            {"direction": "higher", "low": Decimal(100), "near_percent": Decimal(0)},
            Decimal("99.99"),
            "missed",
        ),
    ],
)
def test_a_figure_is_judged_against_its_target(terms, value, state):
    assert goals.judge(target(**terms), value).state == state


def test_no_target_or_no_figure_no_judgement():
    assert goals.judge(None, Decimal(1)) is None
    assert goals.judge(target(direction="higher", low=Decimal(1)), None) is None


def test_the_most_specific_target_applies(w):
    total = Indicator.objects.get(key=TOTAL)
    every = set_target(actor=w.root, indicator=total, direction="higher", low=Decimal(1))
    year = set_target(actor=w.root, indicator=total, year=YEAR, direction="higher", low=Decimal(2))
    period = set_target(
        actor=w.root,
        indicator=total,
        year=YEAR,
        number=MONTH,
        direction="higher",
        low=Decimal(3),
    )
    own = set_target(
        actor=w.root, indicator=total, organisation=w.p, direction="higher", low=Decimal(4)
    )
    found = goals.applicable([total], [w.p, None], YEAR, MONTH)
    assert goals.pick(found, total, None, YEAR, MONTH) == period
    assert goals.pick(found, total, w.p, YEAR, MONTH) == own
    assert goals.pick(found, total, w.q, YEAR, MONTH) == period
    found = goals.applicable([total], [None], YEAR, MONTH + 1)
    assert goals.pick(found, total, None, YEAR, MONTH + 1) == year
    found = goals.applicable([total], [None], YEAR + 1, MONTH)
    assert goals.pick(found, total, None, YEAR + 1, MONTH) == every


def test_the_dashboard_says_met_near_or_missed_in_words_and_colour(w, client):
    total, rate = Indicator.objects.get(key=TOTAL), Indicator.objects.get(key=RATE)
    # The nation's 407 dossiers against at least 500: missed; P's 400 against its own 410:
    # near (within 5 %).
    set_target(actor=w.root, indicator=total, direction="higher", low=Decimal(500))
    set_target(
        actor=w.root, indicator=total, organisation=w.p, direction="higher", low=Decimal(410)
    )
    response = page(client, w.people.app_c, "/reporting/dashboard/")
    lines = {line.indicator.key: line for s in response.context["sections"] for line in s.lines}
    assert lines[TOTAL].judgement.state == "missed" and lines[RATE].judgement is None
    body = response.content.decode()
    assert "govuk-tag--red" in body and "Chưa đạt mục tiêu" in body and "≥ 500" in body
    assert "govuk-tag--green" not in body.split("egov-table-scroll", 1)[1].split("Chưa đạt")[0]
    assert ' style="' not in body
    province = page(client, w.people.app_p, f"/reporting/dashboard/{w.p.code}/")
    lines = {line.indicator.key: line for s in province.context["sections"] for line in s.lines}
    assert lines[TOTAL].judgement.state == "near"
    assert "Gần đạt mục tiêu" in province.content.decode()
    # A rate kept low enough: met.
    set_target(actor=w.root, indicator=rate, direction="lower", high=Decimal(90))
    body = page(client, w.people.app_c, "/reporting/dashboard/").content.decode()
    assert "govuk-tag--green" in body and "Đạt mục tiêu" in body


def test_a_changed_target_shows_on_the_next_load(w, client):
    # The figures' tables are remembered by what they show (dashboard_views._sections_html): a
    # bound moved without changing the judgement must still make a new page.
    total = Indicator.objects.get(key=TOTAL)
    set_target(actor=w.root, indicator=total, direction="higher", low=Decimal(500))
    body = page(client, w.people.app_c, "/reporting/dashboard/").content.decode()
    assert "≥ 500" in body and "Chưa đạt mục tiêu" in body
    set_target(actor=w.root, indicator=total, direction="higher", low=Decimal(600))
    body = page(client, w.people.app_c, "/reporting/dashboard/").content.decode()
    assert "≥ 600" in body and "≥ 500" not in body and "Chưa đạt mục tiêu" in body


def test_without_a_target_nothing_is_coloured(w, client):
    body = page(client, w.people.app_c, "/reporting/dashboard/").content.decode()
    assert "mục tiêu" not in body.split("<h2", 1)[1]
    assert "govuk-tag--red" not in body and "govuk-tag--green" not in body


def test_the_drill_down_judges_the_figure_and_each_part(w, client):
    total = Indicator.objects.get(key=TOTAL)
    set_target(actor=w.root, indicator=total, direction="higher", low=Decimal(200))
    set_target(actor=w.root, indicator=total, organisation=w.a, direction="higher", low=Decimal(90))
    response = page(client, w.people.app_p, figure_url(TOTAL, w.p))
    assert response.context["judgement"].state == "met"  # 400 >= 200
    parts = {p.organisation.code: p.judgement.state for p in response.context["parts"]}
    assert parts == {w.a.code: "met", w.b.code: "met"}
    set_target(
        actor=w.root, indicator=total, organisation=w.b, direction="lower", high=Decimal(100)
    )
    response = page(client, w.people.app_p, figure_url(TOTAL, w.p))
    parts = {p.organisation.code: p.judgement.state for p in response.context["parts"]}
    assert parts[w.b.code] == "missed"  # 300 against at most 100
    body = response.content.decode()
    assert "Chưa đạt mục tiêu" in body and "≤ 100" in body and ' style="' not in body


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_targets_or_indicators(w, client):
    client.force_login(w.people.app_c)
    board = f"/reporting/dashboard/?regime=dvc-thang&year={YEAR}&number={MONTH}"
    drill = figure_url(TOTAL, w.p)
    total = Indicator.objects.get(key=TOTAL)
    set_target(actor=w.root, indicator=total, direction="higher", low=Decimal(1))
    before = (_count(client, board), _count(client, drill))
    more = list(Indicator.objects.exclude(key__startswith="svc_")[:20])
    w.regime.indicators.add(*more)
    for indicator in more:
        set_target(actor=w.root, indicator=indicator, direction="lower", high=Decimal(9))
        set_target(
            actor=w.root,
            indicator=indicator,
            organisation=w.p,
            direction="band",
            low=Decimal(1),
            high=Decimal(2),
        )
    for organisation in (w.a, w.b, w.p):
        set_target(
            actor=w.root,
            indicator=total,
            organisation=organisation,
            year=YEAR,
            direction="higher",
            low=Decimal(5),
        )
    assert (_count(client, board), _count(client, drill)) == before


# --- the API -----------------------------------------------------------------------------------


def post(client, user, body):
    client.force_login(user)
    return client.post(API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi")


def test_an_administrator_sets_reads_and_removes_a_target(w, client):
    admin = make_official("admin_c", w.c, "administrator").user
    body = {"indicator": TOTAL, "direction": "higher", "low": "500", "note": "Nghị quyết 01"}
    response = post(client, admin, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["organisation"], data["year"], data["low"]) == (None, 0, "500.000000")
    assert post(client, admin, {**body, "low": "450"}).status_code == 200  # replaced
    assert Target.objects.get().low == 450
    assert AuditEntry.objects.filter(action="reporting.target_changed").count() == 1
    # A reader reads it (every organisation's targets are everyone's), and sees it judged.
    client.force_login(w.people.app_a)
    listed = client.get(API, {"indicator": TOTAL}).json()
    assert [t["low"] for t in listed["results"]] == ["450.000000"]
    client.force_login(admin)
    assert client.delete(f"{API}{data['id']}/").status_code == 204
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(action="reporting.target_removed").count() == 1


def test_only_administrators_in_scope_set_targets(w, client):
    body = {"indicator": TOTAL, "direction": "higher", "low": "1"}
    # A reader (approver) may not; a province's administrator may not set a target for
    # every organisation, but may for its own subtree, not for another province.
    assert post(client, w.people.app_p, body).status_code == 403
    admin_p = make_official("admin_p", w.p, "administrator", subtree=True).user
    assert post(client, admin_p, body).status_code == 403
    assert post(client, admin_p, {**body, "organisation": w.a.code}).status_code == 201
    assert post(client, admin_p, {**body, "organisation": w.q.code}).status_code == 403
    assert Target.objects.count() == 1
    with pytest.raises(PermissionDenied):
        remove_target(actor=w.people.app_p, target=Target.objects.get())
    # Another province's reader does not see P's target; P's does.
    client.force_login(w.people.app_q)
    assert client.get(API).json()["results"] == []
    client.force_login(w.people.app_p)
    assert len(client.get(API).json()["results"]) == 1
    pk = Target.objects.get().pk
    client.force_login(w.people.app_q)
    assert client.get(f"{API}{pk}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"direction": "band", "low": "5", "high": "2"}, "Cận trên nhỏ hơn cận dưới."),
        ({"direction": "higher"}, "Hãy nhập cận dưới của mục tiêu."),
        ({"direction": "lower"}, "Hãy nhập cận trên của mục tiêu."),
        ({"direction": "higher", "low": "1", "number": 3}, "Mục tiêu cho một kỳ cần có năm."),
        ({"direction": "higher", "low": "1", "indicator": "nope"}, "Không có chỉ tiêu này."),
        ({"direction": "sideways", "low": "1"}, ""),
    ],
)
def test_bad_terms_answer_400_in_vietnamese_and_write_nothing(w, client, body, message):
    response = post(client, w.root, {"indicator": TOTAL, **body})
    assert response.status_code == 400, response.content
    assert message in response.content.decode()
    assert (
        not Target.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="reporting.target").exists()
    )


def test_the_service_checks_the_terms(w):
    total = Indicator.objects.get(key=TOTAL)
    with pytest.raises(ValidationError):
        set_target(actor=w.root, indicator=total, direction="band", low=Decimal(1))
    assert not Target.objects.exists()


# --------------------------------------------------------------------------- first-time races


def test_a_first_time_call_that_loses_the_race_replaces_the_terms(world, monkeypatch):  # noqa: F811
    """The look-up found nothing (another call's row was not there yet), then the insert meets
    the other call's committed row: the call still succeeds, as a change of that row."""
    total = Indicator.objects.get(key=TOTAL)
    root = make_official("root_t", world.c, "administrator").user
    root.is_superuser = True
    root.save()
    first = set_target(actor=root, indicator=total, direction="higher", low=Decimal(1))
    real = targets_service._locked
    calls = []

    def missed_once(key):
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(targets_service, "_locked", missed_once)
    second = set_target(actor=root, indicator=total, direction="higher", low=Decimal(2))
    assert len(calls) == 2  # the look-up, then the look-up after the refused insert
    assert second.pk == first.pk and Target.objects.get().low == 2
    actions = list(
        AuditEntry.objects.filter(action__startswith="reporting.target").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["reporting.target_changed", "reporting.target_set"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["nation", "province"])
def test_first_time_calls_at_once_all_answer(where, django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent first-time targets are checked on PostgreSQL")
    root = django_user_model.objects.create_superuser("root", password=None)
    total = Indicator.objects.get(key=TOTAL)
    organisation = (
        org_services.create_organisation(OrganisationData("000.00.00.H26", "Tỉnh P", "province"))
        if where == "province"
        else None
    )
    callers = 4
    barrier = threading.Barrier(callers)
    errors: list[BaseException] = []

    def call(n: int) -> None:
        try:
            barrier.wait()
            set_target(
                actor=root,
                indicator=total,
                organisation=organisation,
                direction="higher",
                low=Decimal(n),
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(1, callers + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    [target] = Target.objects.all()
    assert target.organisation == organisation and target.low in range(1, callers + 1)
    actions = sorted(
        AuditEntry.objects.filter(action__startswith="reporting.target").values_list(
            "action", flat=True
        )
    )
    assert actions == ["reporting.target_changed"] * (callers - 1) + ["reporting.target_set"]
