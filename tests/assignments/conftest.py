"""Shared fixtures of the assignment tests: the Government Office (the instance's organisation),
two ministries and a province, their officials."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from egov.assignments import services
from egov.assignments.models import FocalPoint, SourceType
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

from ..accounts.officials_support import make_official

OFFICE = "000.00.00.G22"
SOURCE = services.SourceDocument(
    "12/NQ-CP", date(2026, 1, 5), SourceType.RESOLUTION, "Phạm Minh Chính"
)


@pytest.fixture(autouse=True)
def _office(settings):
    settings.EGOV_INSTANCE_ORG_CODE = OFFICE


@pytest.fixture
def world(db):
    create = org_services.create_organisation
    office = create(OrganisationData(OFFICE, "Văn phòng Chính phủ", "central"))
    m1 = create(OrganisationData("000.00.00.G01", "Bộ Tài chính", "central"))
    m2 = create(OrganisationData("000.00.00.G02", "Bộ Xây dựng", "central"))
    p = create(OrganisationData("000.00.00.H26", "UBND tỉnh Phú Thọ", "province"))
    w = SimpleNamespace(
        office=office,
        m1=m1,
        m2=m2,
        p=p,
        clerk=make_official("vpcp", office, "clerk"),
        lead_officer=make_official("cb_m1", m1, "processor"),
        lead_boss=make_official("ld_m1", m1, "approver"),
        coord=make_official("cb_m2", m2, "processor", "approver"),
        prov=make_official("cb_p", p, "processor"),
    )
    FocalPoint.objects.create(organisation=m1, official=w.lead_boss)
    return w


def make_task(w, **extra):
    values = {
        "document": SOURCE,
        "content": "Hoàn thiện dự thảo Nghị định về quản lý nợ công.",
        "lead": w.m1,
        "coordinators": [w.m2],
        "deadline": date(2026, 3, 31),
        "responsible": w.lead_officer,
        "on": date(2026, 1, 6),
    }
    values.update(extra)
    return services.create_assignment(w.clerk.user, **values)
