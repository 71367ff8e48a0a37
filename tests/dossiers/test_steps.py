"""Workflow steps: the demo's usual four (load-demo's dossiers step) and the admin screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.catalog.services import versions as catalog_versions
from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.dossiers import demo
from egov.dossiers.models import WorkflowStep

from ..accounts.officials_support import make_official
from .core_support import CONTENT

pytestmark = pytest.mark.django_db


def published(code, name, levels, **extra):
    content = {**CONTENT, "code": code, "name": name, "levels": levels, **extra}
    version = catalog_versions.create_procedure(content, actor="test")
    return catalog_versions.publish(version, effective_from=dt.date(2020, 1, 1), actor="test")


def steps_of(version):
    return list(
        WorkflowStep.objects.filter(procedure_version=version)
        .order_by("order")
        .values_list("order", "name", "role", "share")
    )


USUAL = [
    (0, "Tiếp nhận", "desk", Decimal("0.1")),
    (1, "Thẩm định", "processor", Decimal("0.6")),
    (2, "Phê duyệt", "approver", Decimal("0.2")),
    (3, "Trả kết quả", "desk", Decimal("0.1")),
]


def test_the_demo_gives_commune_versions_without_steps_the_usual_four_once():
    birth = published("1.001193", "Thủ tục đăng ký khai sinh", ["commune"])
    both = published("2.000635", "Cấp bản sao trích lục hộ tịch", ["commune", "province"])
    province = published("1.001456", "Thủ tục cấp tỉnh", ["province"])
    index = published(
        "9.000009", "Thủ tục chỉ có thông tin", ["commune"], channels=[], required_documents=[]
    )
    own = published("2.000806", "Thủ tục đã có bước", ["commune"])
    WorkflowStep.objects.create(
        procedure_version=own, order=0, name="Xử lý", role="processor", share=Decimal("1")
    )
    lines = []
    with CaptureQueriesContext(connection) as queries:
        demo.load(lines.append)
    inserts = [
        q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "dossiers_workflowstep"')
    ]
    assert len(inserts) == 1  # one INSERT for every version
    assert steps_of(birth) == USUAL and steps_of(both) == USUAL
    assert steps_of(province) == [] and steps_of(index) == []  # not at a commune; not applied for
    assert steps_of(own) == [(0, "Xử lý", "processor", Decimal("1"))]  # left as it was
    assert lines == ["Workflow steps: the usual 4 for 2 procedure versions, 1 already had steps."]
    entry = AuditEntry.objects.get(action="dossiers.workflow_steps_added")
    assert entry.actor == "system" and entry.summary["demo"] is True
    assert sorted(entry.summary["versions"]) == sorted([birth.pk, both.pk])

    rows = WorkflowStep.objects.count()
    demo.load(lines.append)  # a second load-demo: the same rows, no new audit row
    assert WorkflowStep.objects.count() == rows
    assert AuditEntry.objects.filter(action="dossiers.workflow_steps_added").count() == 1
    assert lines[-1] == "Workflow steps: the usual 4 for 0 procedure versions, 3 already had steps."


@pytest.fixture
def version():
    return published("1.001193", "Thủ tục đăng ký khai sinh", ["commune"])


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("quantri", password="x" * 16))
    return client


def form(version, **fields):
    return {
        "procedure_version": version.pk,
        "order": 0,
        "name": "Tiếp nhận",
        "role": "desk",
        "organisation": "",
        "share": "0.1",
        **{k: v for k, v in fields.items()},
    }


ADD = "/admin/dossiers/workflowstep/add/"


def test_the_admin_adds_a_step_through_the_service_and_audits(admin_client, version):
    response = admin_client.post(ADD, form(version))
    assert response.status_code == 302, response.content.decode()[:3000]
    step = WorkflowStep.objects.get()
    assert (step.order, step.name, step.role, step.share) == (
        0,
        "Tiếp nhận",
        "desk",
        Decimal("0.1"),
    )
    entry = AuditEntry.objects.get(action="dossiers.workflow_step_created")
    assert entry.object_id == str(step.pk) and Decimal(entry.summary["share"]) == Decimal("0.1")


def test_the_admin_refuses_a_repeated_order_and_shares_over_one_in_vietnamese(
    admin_client, version
):
    WorkflowStep.objects.create(
        procedure_version=version, order=0, name="Tiếp nhận", role="desk", share=Decimal("0.7")
    )
    response = admin_client.post(ADD, form(version, name="Thẩm định", share="0.4"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phiên bản này đã có một bước với thứ tự 0." in page
    assert "Tổng tỷ lệ thời hạn của các bước trong một phiên bản không vượt quá 1" in page
    assert WorkflowStep.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="dossiers.workflow_step").exists()
    # The same step changed in place is not compared with itself.
    step = WorkflowStep.objects.get()
    change = f"/admin/dossiers/workflowstep/{step.pk}/change/"
    response = admin_client.post(change, form(version, share="1"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert WorkflowStep.objects.get().share == Decimal("1")
    assert AuditEntry.objects.filter(action="dossiers.workflow_step_changed").exists()


def test_the_admin_list_searches_by_code_and_name_and_filters_by_role(admin_client, version):
    other = published("2.000806", "Thủ tục chứng thực bản sao", ["commune"])
    demo.load(lambda line: None)
    page = admin_client.get("/admin/dossiers/workflowstep/", {"q": "khai sinh"}).content.decode()
    assert "1.001193" in page and "2.000806" not in page
    page = admin_client.get("/admin/dossiers/workflowstep/", {"q": "2.000806"}).content.decode()
    assert "2.000806" in page and "1.001193" not in page
    response = admin_client.get("/admin/dossiers/workflowstep/", {"role": "approver"})
    assert list(response.context["cl"].result_list.values_list("name", flat=True)) == [
        "Phê duyệt",
        "Phê duyệt",
    ]
    assert other.pk


def test_only_who_holds_catalog_write_sees_the_steps(client, version):
    province = org_services.create_organisation(
        OrganisationData("000.00.00.H26", "Tỉnh P", "province")
    )
    demo.load(lambda line: None)
    for username, role, status in (("catalogue", "catalogue_manager", 200), ("desk", "desk", 403)):
        official = make_official(username, province, role)
        get_user_model().objects.filter(pk=official.user_id).update(is_staff=True)
        client.force_login(official.user)
        assert client.get("/admin/dossiers/workflowstep/").status_code == status
        step = WorkflowStep.objects.first()
        change = f"/admin/dossiers/workflowstep/{step.pk}/change/"
        assert client.get(change).status_code in ((200,) if status == 200 else (302, 403))


def test_the_version_page_shows_its_steps_with_links_to_change_them(admin_client, version):
    demo.load(lambda line: None)
    page = admin_client.get(f"/admin/catalog/procedureversion/{version.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert all(name in html for name in ("Tiếp nhận", "Thẩm định", "Phê duyệt", "Trả kết quả"))
    first = WorkflowStep.objects.get(procedure_version=version, order=0)
    assert f"/admin/dossiers/workflowstep/{first.pk}/change/" in html


def test_the_admin_reads_a_share_with_a_decimal_comma(admin_client, version):
    """The model's DecimalField refused "0,25" and its order's IntegerField read "1.000" as 1:
    the comma is read, an order with a dot is refused in Vietnamese, nothing saved."""
    for changes, message in (
        ({"order": "1.000"}, "Chỉ nhập chữ số"),
        ({"share": "0,2S"}, "dấu phẩy thập phân"),
        ({"share": "1,5"}, "không được quá 1"),
    ):
        response = admin_client.post(ADD, form(version, **changes))
        assert response.status_code == 200 and message in response.content.decode()
        assert not WorkflowStep.objects.exists()
    response = admin_client.post(ADD, form(version, share="0,25"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert WorkflowStep.objects.get().share == Decimal("0.25")
    page = admin_client.get(f"/admin/dossiers/workflowstep/{WorkflowStep.objects.get().pk}/change/")
    assert 'value="0,25"' in page.content.decode()
