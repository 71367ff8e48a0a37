"""The pages: the list and the report with bounded queries, one task with its acts, assigning,
the monthly exports; Vietnamese, names not codes, plain form round trips."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.assignments import services
from egov.assignments.models import Assignment, Stage

from .conftest import make_task

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _queries(client, url):
    cache.clear()  # the report's cold path: counted, not read from the cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **VI)
    assert response.status_code == 200
    return len(ctx), response


@pytest.mark.parametrize("url", ["/assignments/", "/assignments/report/"])
def test_list_and_report_queries_do_not_grow(client, world, url):
    make_task(world)
    client.force_login(world.clerk.user)
    client.get(url)
    few, _ = _queries(client, url)
    for _ in range(8):
        make_task(world, lead=world.p, coordinators=[world.m2], responsible=None)
    many, response = _queries(client, url)
    assert many == few
    assert "UBND tỉnh Phú Thọ" in response.content.decode()


def test_the_report_shows_each_share_with_its_denominator(client, world):
    make_task(world, deadline=date(2026, 3, 31))
    make_task(world, deadline=None, deadline_kind="ongoing")
    client.force_login(world.clerk.user)
    page = client.get("/assignments/report/", **VI).content.decode()
    assert "Chưa hoàn thành, quá hạn" in page
    assert "1/2 (50,0 %)" in page
    assert "Bộ Tài chính" in page and "000.00.00.G01" not in page


def test_the_cached_report_follows_every_change(client, world):
    task = make_task(world, deadline=date(2099, 3, 31))
    client.force_login(world.clerk.user)
    first = client.get("/assignments/report/", **VI).content.decode()
    assert "1/1 (100,0 %)" in first  # within deadline
    with CaptureQueriesContext(connection) as hit:
        again = client.get("/assignments/report/", **VI).content.decode()
    assert "1/1 (100,0 %)" in again
    assert not any("COUNT" in q["sql"] for q in hit.captured_queries)  # read from the cache
    services.withdraw(world.clerk.user, task, reason="Không còn", decision="9/QĐ-TTg")
    after = client.get("/assignments/report/", **VI).content.decode()
    assert "1/1 (100,0 %)" not in after
    assert "Không có nhiệm vụ." in after


def test_a_party_sees_the_task_an_outsider_gets_404(client, world):
    task = make_task(world)
    client.force_login(world.coord.user)
    page = client.get(f"/assignments/{task.pk}/", **VI)
    assert page.status_code == 200
    assert "Bộ Tài chính" in page.content.decode()
    assert "Báo cáo hoàn thành" not in page.content.decode()  # a coordinator has no acts
    client.force_login(world.prov.user)
    assert client.get(f"/assignments/{task.pk}/").status_code == 404
    assert client.get("/assignments/").content.decode().count("/assignments/1/") == 0


def test_the_lead_reports_completion_through_the_page(client, world):
    task = make_task(world)
    client.force_login(world.lead_officer.user)
    page = client.get(f"/assignments/{task.pk}/", **VI).content.decode()
    assert "Báo cáo hoàn thành" in page
    missing = client.post(f"/assignments/{task.pk}/report-completion/", {"text": "Xong"}, **VI)
    assert missing.status_code == 400
    task.refresh_from_db()
    assert task.stage == Stage.OPEN
    done = client.post(
        f"/assignments/{task.pk}/report-completion/",
        {"text": "Xong", "result_number": "45/TTr-BTC", "result_date": "2026-03-20"},
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.stage == Stage.SUBMITTED


def test_a_coordinator_posting_an_extension_gets_403_and_the_reason(client, world):
    task = make_task(world, deadline=date(2099, 1, 1))
    client.force_login(world.coord.user)
    response = client.post(
        f"/assignments/{task.pk}/request-extension/",
        {"new_deadline": "2099-02-01", "reason": "Cần"},
        **VI,
    )
    assert response.status_code == 403
    assert "đơn vị phối hợp không được" in response.content.decode()
    assert not task.extensions.exists()


def _form(world, **extra):
    return {
        "source_number": "5/TB-VPCP",
        "source_date": "2026-02-01",
        "source_type": "TB",
        "source_signer": "Trần Văn Sơn",
        "content": "Rà soát thủ tục hành chính",
        "lead": world.p.pk,
        "coordinators": [world.m1.pk],
        "deadline_kind": "date",
        "deadline": "2026-05-30",
        "origin": "manual",
        **extra,
    }


def test_the_office_assigns_a_task_through_the_page(client, world):
    client.force_login(world.clerk.user)
    page = client.get("/assignments/new/", **VI).content.decode()
    assert "Bộ Xây dựng" in page and "000.00.00.G02" not in page
    response = client.post("/assignments/new/", _form(world))
    assert response.status_code == 302
    task = Assignment.objects.get()
    assert task.lead == world.p


def test_a_deadline_before_the_source_document_is_refused_on_the_page(client, world):
    client.force_login(world.clerk.user)
    response = client.post("/assignments/new/", _form(world, deadline="2026-01-15"), **VI)
    assert response.status_code == 400
    assert "trước ngày của văn bản" in response.content.decode()
    assert not Assignment.objects.exists()


def test_only_the_office_opens_the_assign_page(client, world):
    client.force_login(world.lead_boss.user)
    assert client.get("/assignments/new/").status_code == 403


def test_monthly_exports(client, world, settings, tmp_path):
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_PKI_AUTO_CREATE = True
    make_task(world)
    client.force_login(world.lead_boss.user)
    url = f"/assignments/report.xlsx?organisation={world.m1.pk}&month=2026-03"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(f"/assignments/monthly.pdf?organisation={world.m1.pk}&month=2026-03")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(world.prov.user)  # another province: not its report
    assert client.get(url).status_code == 404
