"""Tasks from an incoming document's assignments: a package a ministry sent to the Government
Office through the exchange's hub (signed, verified, stored: the exchange's own test helpers)
becomes the tasks' source, its number and symbol, date, type and signer read from the package;
only the Government Office's officials who read it in their mailbox may use it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from egov.assignments.models import Assignment, Origin, SourceType
from egov.assignments.services import incoming
from egov.core.models import AuditEntry
from egov.exchange.services.hub import packages
from tests.exchange.conftest import _pki, make_package, shared_pki, signed  # noqa: F401

from ..accounts.officials_support import make_official

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


@pytest.fixture
def delivery(world):
    """Bộ Tài chính's decision, received by the Government Office through the hub."""
    sender = make_official("vt_m1", world.m1, "clerk").user
    data = signed(make_package(world.m1, [world.office], number=45, notation="QĐ-BTC"), world.m1)
    package = packages.accept_package(data, actor=sender).package
    return package.deliveries.get(recipient=world.office)


def _task(world, **extra):
    values = {
        "content": "Trình Chính phủ dự thảo Nghị định sửa đổi.",
        "lead": world.m1,
        "coordinators": [world.m2],
        "deadline": date(2027, 3, 31),
        "responsible": world.lead_officer,
    }
    values.update(extra)
    return values


def test_the_source_is_read_from_the_received_package(world, delivery):
    task = incoming.create_from_incoming(world.clerk.user, delivery, **_task(world))
    task.refresh_from_db()
    assert (task.source_number, task.source_date) == ("45/QĐ-BTC", date(2026, 11, 28))
    assert (task.source_type, task.source_signer) == (SourceType.DECISION, "Nguyễn Văn A")
    assert task.origin == Origin.INCOMING and task.origin_ref == delivery.package.document_id
    assert task.source_package_id == delivery.package_id and task.assigner == world.office
    entry = AuditEntry.objects.get(action="assignments.create")
    assert entry.summary["origin"] == "incoming"
    assert entry.summary["origin_ref"] == delivery.package.document_id


def test_several_tasks_from_one_document(world, delivery):
    incoming.create_from_incoming(world.clerk.user, delivery, **_task(world))
    incoming.create_from_incoming(
        world.clerk.user, delivery, **_task(world, lead=world.p, coordinators=[], responsible=None)
    )
    assert Assignment.objects.filter(source_package=delivery.package).count() == 2


@pytest.mark.parametrize("who", ["lead_officer", "prov", "coord"])
def test_only_the_recipients_readers_use_it(world, delivery, who):
    before = (Assignment.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied):
        incoming.create_from_incoming(getattr(world, who).user, delivery, **_task(world))
    assert (Assignment.objects.count(), AuditEntry.objects.count()) == before


def test_a_recalled_document_is_not_offered(world, delivery):
    type(delivery.package).objects.filter(pk=delivery.package_id).update(
        recalled_at="2026-11-29T09:00:00+07:00"
    )
    assert not incoming.received(world.clerk.user).exists()
    with pytest.raises(PermissionDenied):
        incoming.create_from_incoming(world.clerk.user, delivery, **_task(world))


def test_bad_input_writes_nothing(world, delivery):
    """A deadline before the received document's date is refused as for any task."""
    with pytest.raises(Exception, match="trước ngày|before"):
        incoming.create_from_incoming(
            world.clerk.user, delivery, **_task(world, deadline=date(2026, 11, 1))
        )
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("notation", "type_name", "expected"),
    [
        ("TB-VPCP", "Thông báo", SourceType.CONCLUSION),
        ("NQ-CP", "", SourceType.RESOLUTION),
        ("CĐ-TTg", "Công điện", SourceType.DISPATCH),
        ("BTC-NSNN", "Công văn", SourceType.LETTER),
        ("UBND-KT", "Chỉ thị", SourceType.DIRECTIVE),
        ("XYZ", "", SourceType.LETTER),
    ],
)
def test_the_type_comes_from_the_notation_or_the_name(notation, type_name, expected):
    assert incoming.source_type(notation, type_name) == expected


def test_the_page_assigns_from_a_received_document(client, world, delivery):
    client.force_login(world.clerk.user)
    page = client.get(f"/assignments/new/?delivery={delivery.pk}", **VI).content.decode()
    assert "45/QĐ-BTC" in page and "Bộ Tài chính" in page
    response = client.post(
        "/assignments/new/",
        {
            "delivery": delivery.pk,
            "content": "Trình Chính phủ dự thảo Nghị định sửa đổi.",
            "lead": world.m1.pk,
            "deadline_kind": "date",
            "deadline": "2027-03-31",
            "origin": "manual",
        },
        **VI,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Assignment.objects.get()
    assert task.origin == Origin.INCOMING and task.source_number == "45/QĐ-BTC"
    detail = client.get(f"/assignments/{task.pk}/", **VI).content.decode()
    assert "Nguyễn Văn A" in detail


def test_the_page_does_not_offer_another_organisations_mail(client, world, delivery):
    boss = make_official("ld_vpcp_khac", world.m2, "clerk")
    client.force_login(boss.user)
    assert client.get(f"/assignments/new/?delivery={delivery.pk}", **VI).status_code == 403
