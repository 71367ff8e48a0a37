"""The exchange's panel of the official's workspace: the inbox not acknowledged (urgent apart),
the outbox registered but not sent; a bounded number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.exchange.services.hub import packages
from tests.accounts.officials_support import make_official

from .conftest import make_package, signed

pytestmark = pytest.mark.django_db


def cards(html: str) -> dict[str, int]:
    found = re.findall(
        r'egov-card__count">(\d+)</span>\s*<a class="egov-card__link" href="([^"]+)">([^<]+)</a>',
        html,
    )
    return {label: int(n) for n, _, label in found}


def test_the_clerk_sees_what_waits_in_the_inbox(client, orgs):
    clerk_p = make_official("clerk_p", orgs.p, "clerk").user
    clerk_q = make_official("clerk_q", orgs.q, "clerk").user
    client.force_login(clerk_q)
    with CaptureQueriesContext(connection) as empty:
        html = client.get("/workspace/").content.decode()
    assert cards(html) == {
        "Văn bản khẩn chưa xác nhận đã nhận": 0,
        "Văn bản đến chưa xác nhận đã nhận": 0,
        "Đã đăng ký, chưa gửi": 0,
        "Gửi không thành công": 0,
    }
    for number, priority in ((1, 0), (2, 3), (3, 0)):
        pkg = make_package(orgs.p, [orgs.q], number=number, priority=priority)
        packages.accept_package(signed(pkg, orgs.p), actor=clerk_p)
    with CaptureQueriesContext(connection) as full:
        html = client.get("/workspace/").content.decode()
    counts = cards(html)
    assert counts["Văn bản khẩn chưa xác nhận đã nhận"] == 1
    assert counts["Văn bản đến chưa xác nhận đã nhận"] == 3
    assert len(full) == len(empty) <= 12
    assert 'id="ws-dossiers"' not in html  # a clerk reads no dossiers
