"""An attachment's name comes from the sending agency: its download cannot be turned into
another file name, break the response, or carry a path (egov.core.downloads)."""

from __future__ import annotations

import dataclasses

import pytest

from egov.exchange import edxml
from tests.accounts.officials_support import make_official
from tests.core.test_downloads import saved_as

from .conftest import PDF, make_package, signed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, saved",
    [
        ("a\";filename*=UTF-8''evil.exe;x=\".pdf", "a\";filename*=UTF-8''evil.exe;x=\".pdf"),
        ("a\r\nb.pdf", "ab.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("Quyết định số 1.pdf", "Quyết định số 1.pdf"),
    ],
)
def test_an_attachment_is_saved_under_its_own_name(client, orgs, name, saved):
    from egov.exchange.services.hub import packages

    clerk_p = make_official("clerk_p", orgs.p, "clerk").user
    clerk_q = make_official("clerk_q", orgs.q, "clerk").user
    pkg = make_package(orgs.p, [orgs.q])
    pkg = dataclasses.replace(pkg, attachments=[edxml.Attachment(name, PDF, description="")])
    delivery = packages.accept_package(signed(pkg, orgs.p), actor=clerk_p).package.deliveries.get()
    client.force_login(clerk_q)
    response = client.get(f"/exchange/inbox/{delivery.pk}/attachments/0/")
    assert response.status_code == 200 and response.content == PDF
    assert saved_as(response["Content-Disposition"]) == saved
