"""Shared pieces of the dossier core tests (5a): a small world of agencies, a procedure with
workflow steps, officials and a citizen, and helpers to make dossiers in a given state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from egov.accounts.models import Citizen
from egov.catalog.forms import default_form
from egov.catalog.services import versions as catalog_versions
from egov.dossiers import services
from egov.dossiers.models import WorkflowStep
from egov.dossiers.services import ApplicantData, Upload

from ..accounts.officials_support import make_official

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
CONTENT = {
    "code": "9.000001",
    "name": "Thủ tục thử nghiệm cấp giấy xác nhận",
    "sectors": ["Hộ tịch"],
    "levels": ["commune"],
    "implementing_agencies": [{"name": "Ủy ban nhân dân cấp xã", "level": "commune"}],
    "channels": [
        {"channel": "in_person", "time_limit": 3, "time_unit": "working_days"},
        {"channel": "online", "time_limit": 3, "time_unit": "working_days"},
    ],
    "required_documents": [{"name": "Tờ khai", "copies": 0}, {"name": "Giấy tờ khác"}],
    "online_level": "full",
}


def make_world():
    from egov.core.services import organisations as org_services
    from egov.core.services.organisations import OrganisationData

    p = org_services.create_organisation(OrganisationData("000.00.00.H26", "Tỉnh P", "province"))
    q = org_services.create_organisation(OrganisationData("000.00.00.H46", "Tỉnh Q", "province"))
    a = org_services.create_organisation(
        OrganisationData("000.00.01.H26", "Xã A", "commune", parent=p)
    )
    b = org_services.create_organisation(
        OrganisationData("000.00.02.H26", "Xã B", "commune", parent=p)
    )
    version = catalog_versions.create_procedure(CONTENT, actor="test")
    version = catalog_versions.publish(version, effective_from=dt.date(2020, 1, 1), actor="test")
    # The default applicant form (test data: published versions are not edited by services).
    type(version).objects.filter(pk=version.pk).update(application_form=default_form())
    version.refresh_from_db()
    steps = [
        WorkflowStep.objects.create(
            procedure_version=version, order=i, name=name, role=role, share=Decimal(share)
        )
        for i, (name, role, share) in enumerate(
            [
                ("Tiếp nhận", "desk", "0.1"),
                ("Thẩm định", "processor", "0.6"),
                ("Phê duyệt", "approver", "0.2"),
                ("Trả kết quả", "desk", "0.1"),
            ]
        )
    ]
    desk = make_official("desk_a", a, "desk")
    processor = make_official("proc_a", a, "processor")
    approver = make_official("lead_a", a, "approver")
    desk_b = make_official("desk_b", b, "desk", "processor", "approver")
    user = get_user_model().objects.create_user("citizen_1", password=None)
    citizen = Citizen.objects.create(
        user=user,
        issuer="https://id.example",
        subject="s1",
        personal_id_number="001099012345",
        full_name="Nguyễn Văn An",
        email="an@example.vn",
    )
    other_user = get_user_model().objects.create_user("citizen_2", password=None)
    other = Citizen.objects.create(
        user=other_user,
        issuer="https://id.example",
        subject="s2",
        personal_id_number="001099099999",
    )
    return SimpleNamespace(
        p=p,
        q=q,
        a=a,
        b=b,
        version=version,
        steps=steps,
        desk=desk,
        processor=processor,
        approver=approver,
        desk_b=desk_b,
        citizen=citizen,
        other=other,
    )


@pytest.fixture
def world(db):
    return make_world()


def submit(w, **extra):
    kwargs = {
        "actor": w.citizen.user,
        "procedure_version": w.version,
        "organisation": w.a,
        "form_data": valid_form(w),
        "uploads": [Upload(PDF, "to-khai.pdf", "application/pdf")],
    }
    kwargs.update(extra)
    return services.submit_online(**kwargs)


def valid_form(w, version=None):
    """Data the version's schema accepts (the default applicant form)."""
    schema = (version or w.version).application_form or {}
    if not schema:
        return {}
    return _fill(schema)


def _fill(schema):
    data = {}
    for name, field in schema.get("properties", {}).items():
        if name not in schema.get("required", []):
            continue
        data[name] = _value(field)
    return data


def _value(field):
    kind = field.get("x-egov-type")
    if kind == "group" or field.get("type") == "object" and kind != "address":
        return _fill(field)
    if kind == "personal_id":
        return "001099012345"
    if kind == "date":
        return "1990-01-01"
    if kind == "phone":
        return "0912345678"
    if kind == "email":
        return "an@example.vn"
    if kind == "choice":
        return field["oneOf"][0]["const"]
    if kind == "number":
        return 1
    if kind == "address":
        return {"province": "000.00.00.H26", "commune": "000.00.01.H26", "street": "1 Phố"}
    return "Nguyễn Văn An"


def walk_in(w, **extra):
    kwargs = {
        "actor": w.desk.user,
        "procedure_version": w.version,
        "organisation": w.a,
        "applicant": ApplicantData(name="Trần Thị Bình", id_number="001199000111"),
        "form_data": valid_form(w),
    }
    kwargs.update(extra)
    return services.register_in_person(**kwargs)
