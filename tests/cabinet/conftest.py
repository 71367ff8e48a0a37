"""Shared fixtures of the e-Cabinet tests: the Government Office, a Government of 27 demo
members, the secretariat and the PM's assistant; one CA for the session."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import override_settings

from egov.cabinet import demo
from egov.cabinet.services import ballots
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.core.signing import ensure_ca

from ..accounts.officials_support import make_official

OFFICE = "000.00.00.G22"


@pytest.fixture(scope="session")
def shared_pki(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("cabinet") / "pki"
    with override_settings(EGOV_PKI_DIR=directory, EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
    return directory


@pytest.fixture(autouse=True)
def _pki(settings, shared_pki):
    settings.EGOV_PKI_DIR = shared_pki
    settings.EGOV_PKI_AUTO_CREATE = True
    settings.EGOV_INSTANCE_ORG_CODE = OFFICE


@pytest.fixture
def gov(db):
    office = org_services.create_organisation(
        OrganisationData(OFFICE, "Văn phòng Chính phủ", "central")
    )
    members = demo.government(office)
    pm = members[0]
    secretary, assistant = demo.staff(office, pm)
    return SimpleNamespace(
        office=office,
        members=members,
        pm=pm,
        secretary=secretary,
        assistant=assistant,
        outsider=make_official("outsider", office),
    )


def issue(gov, **extra) -> ballots.Ballot:
    values = {
        "title": "Dự thảo Nghị định về chính phủ số",
        "questions": ["Thông qua dự thảo Nghị định?"],
        "working_days": 3,
    }
    values.update(extra)
    return ballots.issue(gov.secretary, ballots.BallotData(**values))


def vote(ballot, member, choice, text="", **kw):
    question = ballot.questions.first()
    return ballots.answer_as(member.official.user, ballot, question, choice, text, **kw)
