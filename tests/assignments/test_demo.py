"""The demo step: tasks in every category, made through the services, once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from egov.assignments import demo, reports
from egov.assignments.models import Assignment
from egov.assignments.status import CATEGORIES
from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

from .conftest import OFFICE

pytestmark = pytest.mark.django_db


def test_demo_tasks_in_every_category_once(settings):
    settings.EGOV_INSTANCE_ORG_CODE = OFFICE
    create = org_services.create_organisation
    create(OrganisationData(OFFICE, "Văn phòng Chính phủ", "central"))
    create(OrganisationData("000.00.00.G09", "Bộ Tài chính", "central"))
    create(OrganisationData("000.00.00.G12", "Bộ Xây dựng", "central"))
    create(OrganisationData("000.00.00.H26", "Tỉnh Phú Thọ", "province"))
    lines = []
    demo.load(lines.append)
    count = Assignment.objects.count()
    assert count >= 6
    whole = reports.totals(Assignment.objects.all(), timezone.localdate())
    assert all(whole.count(c) for c in CATEGORIES), whole.counts
    assert AuditEntry.objects.filter(action="assignments.create").count() == count
    demo.load(lines.append)
    assert Assignment.objects.count() == count
    assert any("vpcp" in line for line in lines)
