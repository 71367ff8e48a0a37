"""Shared pieces of the officials, roles and API client tests (imported by those modules)."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest

from egov.accounts import totp
from egov.accounts.services import officials as official_services
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

PASSWORD = "correct horse battery staple 9"


@pytest.fixture
def tree(db):
    """Two provinces; province P has communes A and B."""
    p = org_services.create_organisation(OrganisationData("000.00.00.H26", "Tỉnh P", "province"))
    q = org_services.create_organisation(OrganisationData("000.00.00.H46", "Tỉnh Q", "province"))
    a = org_services.create_organisation(
        OrganisationData("000.00.01.H26", "Xã A", "commune", parent=p)
    )
    b = org_services.create_organisation(
        OrganisationData("000.00.02.H26", "Xã B", "commune", parent=p)
    )
    return SimpleNamespace(p=p, q=q, a=a, b=b)


def make_official(username, organisation, *roles, subtree=False, email=""):
    official = official_services.create_official(
        username=username,
        password=PASSWORD,
        organisation=organisation,
        email=email or f"{username}@example.gov.vn",
        actor="test",
    )
    for role in roles:
        official_services.assign_role(
            official, role, organisation, actor="test", include_subtree=subtree
        )
    return official


def page_secret(response) -> str:
    """The key an official types into the app, read from the enrolment page as a person would."""
    match = re.search(r"<code>([A-Z2-7]{32})</code>", response.content.decode())
    assert match, "the enrolment page shows the key"
    return match.group(1)


def login(client, username, password=PASSWORD, *, secret=None, offset=0):
    """Log in through the pages. Returns the TOTP secret (enrolled on first login)."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/accounts/login/code/")
    if secret is None:
        secret = page_secret(page)
    response = client.post(
        "/accounts/login/code/", {"code": totp.code(secret, at=time.time() + offset)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret
