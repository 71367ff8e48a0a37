"""Shared fixtures of the exchange tests: a small government tree, one CA for the session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import override_settings

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.core.signing import ensure_ca
from egov.exchange import edxml

HUB = "000.00.00.G22"


@pytest.fixture(scope="session")
def shared_pki(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("exchange") / "pki"
    with override_settings(EGOV_PKI_DIR=directory, EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
    return directory


@pytest.fixture(autouse=True)
def _pki(settings, shared_pki):
    settings.EGOV_PKI_DIR = shared_pki
    settings.EGOV_PKI_AUTO_CREATE = True
    settings.EGOV_INSTANCE_ORG_CODE = HUB


@pytest.fixture
def orgs(db):
    """The hub (Government Office), provinces P and Q, and a commune A of P."""
    create = org_services.create_organisation
    hub = create(OrganisationData(HUB, "Văn phòng Chính phủ", "central"))
    p = create(OrganisationData("000.00.00.H26", "UBND tỉnh P", "province"))
    q = create(OrganisationData("000.00.00.H46", "UBND tỉnh Q", "province"))
    a = create(OrganisationData("000.00.01.H26", "UBND xã A", "commune", parent=p))
    return SimpleNamespace(hub=hub, p=p, q=q, a=a)


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_package(
    sender,
    recipients,
    *,
    number=1,
    notation="QĐ-UBND",
    day=dt.date(2026, 11, 28),
    attachment=PDF,
    business=None,
    priority=1,
    confidentiality=0,
):
    return edxml.Package(
        header=edxml.MessageHeader(
            from_=edxml.Organ(sender.code, sender.name),
            to=[edxml.Organ(r.code, r.name) for r in recipients],
            code_number=number,
            code_notation=notation,
            promulgation_date=day,
            place="Hà Nội",
            subject="Về việc triển khai trục liên thông văn bản",
            type_name="Quyết định",
            type_detail=1,
            signers=[edxml.Signer("Nguyễn Văn A", "KT. CHỦ TỊCH", "Phó Chủ tịch")],
            due_date=day + dt.timedelta(days=10),
            priority=priority,
            confidentiality=confidentiality,
            steering_type=0,
        ),
        trace=[edxml.TraceHeader(sender.code, dt.datetime(2026, 11, 28, 9, 30, tzinfo=edxml.VN))],
        business=business or edxml.Business(),
        attachments=[edxml.Attachment("qd.pdf", attachment, description="Quyết định")]
        if attachment is not None
        else [],
    )


def signed(pkg, org) -> bytes:
    return edxml.sign(edxml.build(pkg), org)
