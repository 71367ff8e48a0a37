"""Shared fixtures of the petition tests: the centre (the instance's organisation), a province
with two communes, their officials, a citizen; one CA for the session."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from egov.accounts.models import Citizen
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.core.signing import ensure_ca
from egov.petitions import services
from egov.petitions.models import Category

from ..accounts.officials_support import make_official

CENTRE = "000.00.00.G22"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="session")
def shared_pki(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("petitions") / "pki"
    with override_settings(EGOV_PKI_DIR=directory, EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
    return directory


@pytest.fixture(autouse=True)
def _pki(settings, shared_pki):
    settings.EGOV_PKI_DIR = shared_pki
    settings.EGOV_PKI_AUTO_CREATE = True
    settings.EGOV_INSTANCE_ORG_CODE = CENTRE


def make_citizen(name="citizen_1", pid="001099012345", full_name="Nguyễn Văn An"):
    user = get_user_model().objects.create_user(name, password=None)
    return Citizen.objects.create(
        user=user,
        issuer="https://id.example",
        subject=name,
        personal_id_number=pid,
        full_name=full_name,
        email=f"{name}@example.vn",
    )


@pytest.fixture
def world(db):
    create = org_services.create_organisation
    centre = create(OrganisationData(CENTRE, "Văn phòng Chính phủ", "central"))
    p = create(OrganisationData("000.00.00.H26", "UBND tỉnh P", "province"))
    a = create(OrganisationData("000.00.01.H26", "UBND xã A", "commune", parent=p))
    b = create(OrganisationData("000.00.02.H26", "UBND xã B", "commune", parent=p))
    return SimpleNamespace(
        centre=centre,
        p=p,
        a=a,
        b=b,
        centre_desk=make_official("pakn", centre, "desk", "approver"),
        desk_a=make_official("desk_a", a, "desk"),
        proc_a=make_official("proc_a", a, "processor"),
        lead_a=make_official("lead_a", a, "approver"),
        lead_b=make_official("lead_b", b, "approver", "desk"),
        citizen=make_citizen(),
        other=make_citizen("citizen_2", "001099054321", "Trần Thị Bình"),
    )


def data(**extra) -> services.PetitionData:
    values = {
        "title": "Thủ tục cấp phép quá phức tạp",
        "content": "Đề nghị giảm bớt giấy tờ phải nộp.",
        "category": Category.PROCEDURES,
    }
    values.update(extra)
    return services.PetitionData(**values)


def submitted(world, **extra):
    return services.submit(actor=world.citizen.user, data=data(**extra))


def at_commune(world, petition=None, *, handling=True):
    """A petition forwarded to commune A, received there and (``handling``) being handled."""
    petition = petition or submitted(world)
    services.forward(world.centre_desk.user, petition, to_organisation=world.a)
    services.accept(world.desk_a.user, petition)
    if handling:
        services.start(world.proc_a.user, petition)
    petition.refresh_from_db()
    return petition
