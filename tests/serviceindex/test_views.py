"""The index's pages: the ranking, an organisation's page and a drill-down, each showing rate,
numerator, denominator, target and points; the lists and their .xlsx; the recompute form."""

import io

import pytest
from openpyxl import load_workbook

from egov.core.models import AuditEntry
from egov.serviceindex.periods import Period
from egov.serviceindex.services import snapshots

from ..accounts.officials_support import make_official
from .support import dossier, make_world, november

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = make_world()
    world.d = november(world)
    return world


def test_ranking_page_lists_provinces_with_totals_and_charts(
    client, w, django_assert_max_num_queries
):
    with django_assert_max_num_queries(45):
        response = client.get("/service-index/?period=2026-11")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tỉnh P" in html and "Tỉnh Q" in html
    assert html.count('data-egov-chart="bar"') == 5  # a bar chart per group (provinces only)
    assert f"/service-index/organisations/{w.p.pk}/?period=2026-11" in html


def test_ranking_queries_do_not_grow_with_dossiers(client, w, django_assert_max_num_queries):
    for n in range(20):
        dossier(
            w,
            w.b,
            received=f"2026-11-{10 + n % 10:02d}",
            processed="2026-11-25",
            timeliness="early",
            online=n % 2 == 0,
        )
    with django_assert_max_num_queries(45):
        assert client.get("/service-index/?period=2026-11").status_code == 200


def test_bad_period_is_a_400_in_vietnamese(client, w):
    response = client.get("/service-index/?period=tháng-mười", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "2026-Q4" in response.content.decode()


def test_ranking_xlsx(client, w):
    response = client.get("/service-index/?period=2026-11&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    assert set(names) == {"Tỉnh P", "Tỉnh Q"}


def test_organisation_page_shows_every_figure(client, w):
    response = client.get(f"/service-index/organisations/{w.p.pk}/?period=2026-11")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-egov-chart="line"' in html
    assert f"/service-index/organisations/{w.p.pk}/indicators/2.1/?period=2026-11" in html


def test_drilldown_lists_dossiers_to_the_organisations_reporters_only(client, w):
    url = f"/service-index/organisations/{w.p.pk}/indicators/2.1/?period=2026-11"
    anonymous = client.get(url).content.decode()
    assert w.d["d1"].code not in anonymous
    reporter = make_official("reporter_p", w.p, "reporter", subtree=True)
    client.force_login(reporter.user)
    html = client.get(url).content.decode()
    for name in ("d1", "d2", "d3", "d4"):
        assert w.d[name].code in html
    assert w.d["d7"].code not in html  # province Q's
    xlsx = client.get(
        f"/service-index/organisations/{w.p.pk}/indicators/2.1/export.xlsx?period=2026-11"
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    numerator = [r[0] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert sorted(numerator) == sorted(w.d[n].code for n in ("d1", "d3", "d4"))
    other = make_official("reporter_q", w.q, "reporter", subtree=True)
    client.force_login(other.user)
    assert w.d["d1"].code not in client.get(url).content.decode()
    assert (
        client.get(
            f"/service-index/organisations/{w.p.pk}/indicators/2.1/export.xlsx?period=2026-11"
        ).status_code
        == 403
    )


def test_procedures_are_listed_to_anyone(client, w):
    html = client.get(
        f"/service-index/organisations/{w.p.pk}/indicators/3.1/?period=2026-11"
    ).content.decode()
    assert "Thủ tục thử nghiệm cấp giấy xác nhận" in html  # the procedure, by name


def test_recompute_from_the_page_is_audited(client, w):
    snapshots.freeze(Period.parse("2026-11"), actor="test")
    url = f"/service-index/organisations/{w.p.pk}/recompute/"
    reporter = make_official("reporter_p", w.p, "reporter", subtree=True)
    client.force_login(reporter.user)
    assert client.post(url, {"period": "2026-11", "reason": "x"}).status_code == 403
    admin = make_official("admin_p", w.p, "administrator", subtree=True)
    client.force_login(admin.user)
    assert client.post(url, {"period": "2026-11", "reason": ""}).status_code == 400
    response = client.post(url, {"period": "2026-11", "reason": "Bổ sung dữ liệu"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="serviceindex.recompute").count() == 1


def test_second_load_reads_the_cached_fragment(client, w, django_assert_max_num_queries):
    first = client.get("/service-index/?period=2026-11").content.decode()
    # The ranked organisations, then their versions and the tables in one cache read.
    with django_assert_max_num_queries(2):
        second = client.get("/service-index/?period=2026-11").content.decode()
    assert "Tỉnh P" in second and second.count("data-egov-chart") == first.count("data-egov-chart")


def test_a_drilldown_loaded_again_is_one_cache_read(client, w, django_assert_max_num_queries):
    """The figures and the lists are cached with the versions they were made from: a second
    load reads the organisation, then its versions and the page in one cache read."""
    url = f"/service-index/organisations/{w.p.pk}/indicators/2.1/?period=2026-11"
    reporter = make_official("reporter_p", w.p, "reporter", subtree=True)
    client.force_login(reporter.user)
    first = client.get(url).content.decode()
    # Session, user, the official (read once for guard, policy and frame), roles, ours.
    with django_assert_max_num_queries(6):
        second = client.get(url).content.decode()
    assert w.d["d1"].code in second  # the page, not the frame (its form's token differs)
    assert second.count("govuk-table__row") == first.count("govuk-table__row")


def test_a_bad_period_or_recompute_ends_on_the_sites_400_page_with_the_reason(client, w):
    # serviceindex/error.html is gone: the site's page (core/error.html) says why.
    response = client.get("/service-index/?period=abc", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<code>{response['X-Request-ID']}</code>" in html and "Lỗi 400" in html
    assert "“ABC”" in html and "2026-Q4" in html
    snapshots.freeze(Period.parse("2026-11"), actor="test")
    client.force_login(make_official("admin_p", w.p, "administrator", subtree=True).user)
    before = AuditEntry.objects.count()
    url = f"/service-index/organisations/{w.p.pk}/recompute/"
    response = client.post(url, {"period": "2026-11", "reason": ""}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "Hãy nêu lý do tính lại tháng đã chốt số liệu." in response.content.decode()
    response = client.post(url, {"period": "2026-11", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Say why the frozen month is recomputed." in response.content.decode()
    assert AuditEntry.objects.count() == before
