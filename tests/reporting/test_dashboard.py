"""The command centre: the nation's and a province's dashboard read from the maintained
aggregates (comparisons to the previous period and to the same period last year, a trend), the
drill-down from a figure to the approved report (parts that sum to a sum), the charts' tables,
the wall screen, the exports, the reader's scope, and query counts that do not grow with the
number of indicators or organisations."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from egov.core.services import audit
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting import dashboard_views, freshness
from egov.reporting.models import (
    DataSignature,
    Field,
    Indicator,
    Submission,
    SubmissionSignature,
)

from ..accounts.officials_support import make_official, tree  # noqa: F401
from .approval_support import MONTH, NATIONAL, RATE, TOTAL, YEAR, approve, world  # noqa: F401

PERIOD = {"year": YEAR, "number": MONTH}


@pytest.fixture
def w(world, django_user_model):  # noqa: F811
    return with_figures(world, django_user_model)


def with_figures(made, django_user_model):
    """March 2025's approved figures (and February's, and March 2024's for commune A)."""
    made.root = django_user_model.objects.create_superuser("root", password=None)
    approve(made, made.a, **{TOTAL: "100", RATE: "50"})
    approve(made, made.b, **{TOTAL: "300", RATE: "10"})
    approve(made, made.c, **{TOTAL: "7", RATE: "90", NATIONAL: "3.1"})
    approve(made, made.a, number=MONTH - 1, **{TOTAL: "80", RATE: "40"})
    approve(made, made.a, year=YEAR - 1, **{TOTAL: "50", RATE: "40"})
    return made


def page(client, user, url, **params):
    client.force_login(user)
    if "?" in url:  # the query string of a link, kept beside the period's
        url, query = url.split("?")
        params.update(dict(part.split("=") for part in query.split("&")))
    return client.get(url, {"regime": "dvc-thang", **PERIOD, **params}, HTTP_ACCEPT_LANGUAGE="vi")


def figure_url(key, organisation=None):
    url = f"/reporting/dashboard/figure/dvc-thang/{key}/{YEAR}/{MONTH}/"
    return url + (f"?organisation={organisation.code}" if organisation else "")


def test_the_nations_dashboard_shows_each_figure_with_its_comparisons(w, client):
    response = page(client, w.people.app_c, "/reporting/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    total = Indicator.objects.get(key=TOTAL)
    assert total.name in body and total.unit in body  # names, not codes
    with translation.override("vi"):
        assert f'<h2 class="govuk-heading-m">{Field(total.field).label}</h2>' in body
    board = response.context
    lines = {line.indicator.key: line for s in board["sections"] for line in s.lines}
    assert lines[TOTAL].value == 407
    # Against February (A's 80) and March last year (A's 50): the nation's own rows.
    assert lines[TOTAL].previous["then"] == 80 and lines[TOTAL].previous["diff"] == 327
    assert lines[TOTAL].last_year["then"] == 50 and lines[TOTAL].last_year["percent"] == 714
    assert lines[NATIONAL].value == Decimal("3.1")  # the central body's, not a sum
    # The weighted rate: (50x100 + 10x300 + 90x7) / 407.
    assert lines[RATE].value == Decimal(5000 + 3000 + 630) / 407
    # The trend: twelve months, the last three known, a sparkline drawn without JavaScript.
    assert len(lines[TOTAL].trend) == 12
    assert [v for _label, v in lines[TOTAL].trend[-2:]] == [80, 407]
    assert lines[TOTAL].points and "<polyline" in body
    assert figure_url(TOTAL) in body  # every number drills down
    assert "Chưa đặt chỉ tiêu kế hoạch" in body  # no target: no colour, and it says so


def test_a_provinces_dashboard_and_the_readers_scope(w, client):
    p = page(client, w.people.app_p, f"/reporting/dashboard/{w.p.code}/")
    assert p.status_code == 200
    lines = {line.indicator.key: line for s in p.context["sections"] for line in s.lines}
    assert lines[TOTAL].value == 400 and lines[NATIONAL].value is None
    # A province's reader does not read the nation: sent to their own dashboard.
    home = page(client, w.people.app_p, "/reporting/dashboard/")
    assert home.status_code == 302 and w.p.code in home["Location"]
    assert page(client, w.people.app_q, f"/reporting/dashboard/{w.p.code}/").status_code == 403
    assert page(client, w.people.app_q, figure_url(TOTAL, w.p)).status_code == 403
    assert page(client, w.people.app_p, figure_url(TOTAL)).status_code == 403
    nobody = make_official("nobody", w.q).user
    assert page(client, nobody, "/reporting/dashboard/").status_code == 403


def test_the_drill_down_goes_to_the_approved_report_and_its_parts_sum(w, client):
    nation = page(client, w.people.app_c, figure_url(TOTAL))
    assert nation.status_code == 200
    parts = {p.organisation.code: p.value for p in nation.context["parts"]}
    assert parts == {w.p.code: 400, w.c.code: 7}
    assert sum(parts.values()) == nation.context["value"] == nation.context["parts_sum"] == 407
    body = nation.content.decode()
    assert "Tỉnh P" in body and figure_url(TOTAL, w.p) in body
    assert 'data-egov-chart="bar"' in body and 'data-egov-chart="line"' in body
    assert "chart.umd.min.js" in body
    province = page(client, w.people.app_c, figure_url(TOTAL, w.p))
    communes = {p.organisation.code: p.value for p in province.context["parts"]}
    assert communes == {w.a.code: 100, w.b.code: 300}
    assert sum(communes.values()) == province.context["value"]
    assert figure_url(TOTAL, w.a) in province.content.decode()
    submission = Submission.objects.get(organisation=w.a, year=YEAR, number=MONTH)
    SubmissionSignature.objects.create(  # the row signing writes (signing: test_signing)
        submission=submission,
        version=submission.submitted_at,
        signed_by=w.people.rep_a,
        holder="Lan Trần Thị",
        signed_at=timezone.now(),
        pdf=b"%PDF-1.7",
        sha256="0" * 64,
    )
    SubmissionSignature.objects.create(  # an older version's: not the one approved
        submission=submission,
        version=submission.submitted_at - timedelta(hours=1),
        signed_by=w.people.rep_a,
        holder="Cũ",
        signed_at=timezone.now(),
        pdf=b"%PDF-1.7",
        sha256="1" * 64,
    )
    data = DataSignature.objects.create(  # the row signing the data writes (test_xml_data)
        submission=submission,
        version=submission.submitted_at,
        signed_by=w.people.rep_a,
        holder="official-1",
        signed_at=timezone.now(),
        document=b"<ReportData/>",
        sha256="2" * 64,
    )
    commune = page(client, w.people.app_c, figure_url(TOTAL, w.a))
    (own,) = commune.context["own"]
    assert own["data_signature"] == data
    assert f"/reporting/signed-data/{data.pk}.xml" in commune.content.decode()
    assert own["value"].value == 100
    assert own["submission"].submitted_by == w.root and own["approval"].approved_by == w.root
    assert own["signature"].holder == "Lan Trần Thị"
    assert f"/reporting/signatures/{own['signature'].pk}.pdf" in commune.content.decode()
    # A weighted figure is not a sum: the page says so.
    rate = page(client, w.people.app_c, figure_url(RATE)).content.decode()
    assert "không phải là tổng" in rate


def _count(client, url):
    client.get(url)  # the session warmed
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_indicators_or_organisations(
    w, client, django_assert_max_num_queries
):
    client.force_login(w.people.app_c)
    board = f"/reporting/dashboard/?regime=dvc-thang&year={YEAR}&number={MONTH}"
    drill = figure_url(TOTAL, w.p)
    # Session, user, grants (2), central check, regime, indicators, aggregates, the regimes'
    # list, the frame (2), the assigned tasks' tile (one aggregate), the dossiers received as
    # egov counts them (builtin.py), the targets that may apply (targets.py). Warmed first:
    # the instance's own organisation is looked up once per process (it was counted alone).
    client.get(board)
    with django_assert_max_num_queries(14):
        client.get(board)
    before = (_count(client, board), _count(client, drill), _count(client, figure_url(TOTAL)))
    # Twenty more indicators in the regime, and more communes and provinces with figures.
    w.regime.indicators.add(*Indicator.objects.exclude(key__in=[TOTAL, RATE, NATIONAL])[:20])
    for n in range(3, 8):
        commune = org_services.create_organisation(
            OrganisationData(f"000.00.{n:02d}.H26", f"Xã {n}", "commune", parent=w.p)
        )
        w.regime.organisations.add(commune)
        approve(w, commune, **{TOTAL: str(n), RATE: "1"})
    for n in range(1, 4):
        province = org_services.create_organisation(
            OrganisationData(f"000.00.00.H{60 + n}", f"Tỉnh {n}", "province")
        )
        w.regime.organisations.add(province)
        approve(w, province, **{TOTAL: str(n), RATE: "1"})
    after = (_count(client, board), _count(client, drill), _count(client, figure_url(TOTAL)))
    assert after == before, (before, after)
    # A province's reader: each commune's scope is checked without a query of its own.
    client.force_login(w.people.app_p)
    before_p = _count(client, drill)
    commune = org_services.create_organisation(
        OrganisationData("000.00.09.H26", "Xã 9", "commune", parent=w.p)
    )
    w.regime.organisations.add(commune)
    approve(w, commune, **{TOTAL: "9", RATE: "1"})
    assert _count(client, drill) == before_p
    client.force_login(w.people.app_c)
    # Session, user, grants (2), regime, indicator, organisation, central check, the node, its
    # parts, the approval, its values, signatures (PDF, XML), trend, the frame (2), the
    # cross-check's organisations one level down and its one count (builtin.py), the targets
    # (targets.py).
    with django_assert_max_num_queries(19):
        client.get(drill)


def test_the_wall_screen_has_no_frame_and_reloads_itself(w, client):
    body = page(client, w.people.app_c, "/reporting/dashboard/", wall="1").content.decode()
    assert 'http-equiv="refresh"' in body and "egov-header" not in body
    assert "govuk-footer" not in body
    framed = page(client, w.people.app_c, "/reporting/dashboard/").content.decode()
    assert 'http-equiv="refresh"' not in framed and "egov-header" in framed


def test_the_exports(w, client):
    response = page(client, w.people.app_p, f"/reporting/dashboard/{w.p.code}/", format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_key = {row[1]: row for row in rows[1:]}
    total = by_key[TOTAL]
    assert total[2] == Indicator.objects.get(key=TOTAL).name and total[5] == "Tỉnh P"
    assert (total[7], total[8], total[9]) == ("400", "80", "50")
    assert by_key[NATIONAL][7] == ""
    response = page(client, w.people.app_p, f"/reporting/dashboard/{w.p.code}/", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    by_key = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_key[TOTAL][5] == "Tỉnh P" and by_key[TOTAL][7:] == (400, 80, 50)
    response = page(client, w.people.app_c, "/reporting/dashboard/", format="dhis2")
    data = json.loads(response.content)
    assert data["period"] == f"{YEAR}{MONTH:02d}" and data["orgUnit"] == "VN"
    values = {v["dataElement"]: v["value"] for v in data["dataValues"]}
    assert values[TOTAL] == "407" and values[NATIONAL] == "3.1"
    assert {v["period"] for v in data["dataValues"]} == {"202503"}


@pytest.mark.parametrize(
    "params", [{"year": "abc"}, {"number": "13"}, {"year": "1990"}, {"format": "xls"}]
)
def test_bad_input_answers_400_in_vietnamese(w, client, params):
    response = page(client, w.people.app_c, "/reporting/dashboard/", **params)
    assert response.status_code == 400
    body = response.content.decode()
    # The site's 400 page (core/error.html), with the reason.
    assert "Yêu cầu không hợp lệ" in body and f"<code>{response['X-Request-ID']}</code>" in body
    assert "Không có kỳ báo cáo này." in body or "Định dạng xuất không được hỗ trợ." in body


@pytest.mark.parametrize("period", ["1990/3", "2025/13", "2025/0", "99999999999/1"])
def test_a_drill_down_outside_the_regimes_periods_is_400(w, client, period):
    url = f"/reporting/dashboard/figure/dvc-thang/{TOTAL}/{period}/"
    response = page(client, w.people.app_c, url)
    assert response.status_code == 400
    assert "Không có kỳ báo cáo này." in response.content.decode()


def test_unknown_regime_indicator_or_organisation_is_404(w, client):
    assert page(client, w.people.app_c, "/reporting/dashboard/", regime="nope").status_code == 404
    assert page(client, w.people.app_c, "/reporting/dashboard/X.Y/").status_code == 404
    url = f"/reporting/dashboard/figure/dvc-thang/nope/{YEAR}/{MONTH}/"
    assert page(client, w.people.app_c, url).status_code == 404


def test_the_frame_links_the_command_centre_for_readers(w, client):
    client.force_login(w.people.app_p)
    body = client.get("/reporting/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'href="/reporting/dashboard/"' in body and "Trung tâm điều hành" in body


def test_the_sections_follow_the_governments_order_of_fields(w, client):
    w.regime.indicators.add(*Indicator.objects.all()[:40])
    board = page(client, w.people.app_c, "/reporting/dashboard/").context
    order = [section.code for section in board["sections"]]
    assert order == [code for code in Field.values if code in order] and len(order) > 1


def test_the_nations_dashboard_places_the_tiles_apps_register(w, client):
    """The tasks the Government assigns (issue 20) beside the indicators, on the Government's
    dashboard only: the tile counts the tasks its reader may read."""
    body = page(client, w.people.app_c, "/reporting/dashboard/").content.decode()
    assert "/assignments/report/" in body
    province = page(client, w.people.app_c, f"/reporting/dashboard/{w.p.code}/")
    assert province.status_code == 200 and "/assignments/report/" not in province.content.decode()


def test_the_figures_tables_are_rendered_once_and_never_stale(w, client, monkeypatch):
    """The tables are cached by their content (issue 18 §7): the same figures are not rendered
    again, and an approval that moves a figure shows on the next page load."""
    rendered = []
    render = dashboard_views.render_to_string

    def counting(name, *args, **kwargs):
        rendered.append(name)
        return render(name, *args, **kwargs)

    monkeypatch.setattr(dashboard_views, "render_to_string", counting)
    first = page(client, w.people.app_c, "/reporting/dashboard/")
    assert rendered.count("reporting/_sections.html") == 1
    again = page(client, w.people.app_c, "/reporting/dashboard/")
    assert rendered.count("reporting/_sections.html") == 1
    assert again.content.count(b"govuk-table__row") == first.content.count(b"govuk-table__row")
    assert b"407" in again.content and b"1407" not in again.content.replace(b".", b"")
    d = org_services.create_organisation(
        OrganisationData("000.00.09.H26", "Xã D", "commune", parent=w.p)
    )
    w.regime.organisations.add(d)
    approve(w, d, **{TOTAL: "1000", RATE: "20"})
    after = page(client, w.people.app_c, "/reporting/dashboard/")
    assert rendered.count("reporting/_sections.html") == 2
    assert b"1407" in after.content.replace(b".", b"")
    english = client.get(
        "/reporting/dashboard/", {"regime": "dvc-thang", **PERIOD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 200
    assert rendered.count("reporting/_sections.html") == 3  # another language, another key


def test_the_tables_are_remembered_in_the_process_and_bounded(w, client, monkeypatch):
    """In front of the shared cache, the process's memo (same keys): the second load reads no
    cache row for the tables; an approval still shows on the next load; the memo keeps at most
    its size."""
    first = page(client, w.people.app_c, "/reporting/dashboard/")
    with CaptureQueriesContext(connection) as queries:
        again = page(client, w.people.app_c, "/reporting/dashboard/")
    assert not [q for q in queries if "reporting:sections:" in q["sql"]]
    assert again.content.count(b"<polyline") == first.content.count(b"<polyline")
    d = org_services.create_organisation(
        OrganisationData("000.00.09.H26", "Xã D", "commune", parent=w.p)
    )
    w.regime.organisations.add(d)
    approve(w, d, **{TOTAL: "1000", RATE: "20"})
    assert b"1407" in page(client, w.people.app_c, "/reporting/dashboard/").content.replace(
        b".", b""
    )
    monkeypatch.setattr(dashboard_views, "_memo", freshness.Memo(2))
    for n in (1, 2, 3):
        page(client, w.people.app_c, "/reporting/dashboard/", number=str(n))
    assert len(dashboard_views._memo) == 2


def test_the_tiles_are_remembered_until_an_audited_change(
    w, client, monkeypatch, django_capture_on_commit_callbacks
):
    """The tasks' tile is remembered per reader and day (freshness.TILES): rendered once, and
    again after an audited change in an app the tile reads (CommandTile.reads: the tasks, the
    readers' roles), not after one elsewhere."""
    made = []
    render = dashboard_views._render_tiles
    monkeypatch.setattr(dashboard_views, "_render_tiles", lambda r: made.append(1) or render(r))
    page(client, w.people.app_c, "/reporting/dashboard/")
    page(client, w.people.app_c, "/reporting/dashboard/")
    assert len(made) == 1
    d = org_services.create_organisation(  # its bump is never run: the test's transaction
        OrganisationData("000.00.09.H26", "Xã D", "commune", parent=w.p)
    )
    w.regime.organisations.add(d)
    with django_capture_on_commit_callbacks(execute=True):
        approve(w, d, **{TOTAL: "1", RATE: "1"})  # this app's own change: nothing moves
    page(client, w.people.app_c, "/reporting/dashboard/")
    assert len(made) == 1
    with django_capture_on_commit_callbacks(execute=True):
        org_services.create_organisation(
            OrganisationData("000.00.08.H26", "Xã E", "commune", parent=w.p)
        )
    page(client, w.people.app_c, "/reporting/dashboard/")
    assert len(made) == 1  # the tree is not what the tile reads
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit.record(actor=w.root, action="assignments.task_assigned", object_type="t", object_id=1)
    page(client, w.people.app_c, "/reporting/dashboard/")
    assert len(made) == 2
