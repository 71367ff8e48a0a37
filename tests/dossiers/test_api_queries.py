"""Queries per request on the dossier API's hot paths (the bench's lifecycle and the public
lookup), so that a re-query or a look-up per row cannot come back unnoticed. Counts only: never
wall-clock times."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from egov.accounts.services import clients as client_services
from egov.core.models import AuditEntry
from egov.dossiers.models import Dossier, ProgressRecord

from .core_support import PDF, valid_form, world  # noqa: F401

pytestmark = pytest.mark.django_db

SCOPES = [
    "dossiers.read",
    "dossiers.apply",
    "dossiers.receive",
    "dossiers.process",
    "dossiers.approve",
    "dossiers.return",
]
# The bench's lifecycle, with the most queries each request may make: bearer token (2), the
# dossier by code (1), the locked row (1), calendar and steps where the act needs them, the
# update, the progress record, the audit row (2; 3 on PostgreSQL: its advisory lock), then
# components and history (2). Before the profile: 21, 22, 20, 18 and 17.
ACTS = [
    ("receive", 15),
    ("start-processing", 15),
    ("approve", 12),
    ("return-result", 12),
]
# 19, and the payments app's copy of the channel's fees into the new dossier's fee items (one
# SELECT; one INSERT more when the channel has fees with amounts).
SUBMIT_QUERIES = 20


@pytest.fixture
def bearer(world):  # noqa: F811
    client = client_services.create_client(
        name="bench", organisations=[world.a], scopes=SCOPES, actor="test"
    )
    key, _secret = client_services.add_secret(client, actor="test")
    issued = client_services.issue_token(client, key, None)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.token}"}


def application(w) -> dict:
    return {
        "procedure": "9.000001",
        "organisation": w.a.code,
        "form_data": valid_form(w),
        "applicant": {"name": "Nguyễn Văn Bench", "id_number": "001099012345"},
        "components": [
            {
                "filename": "to-khai.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }


def test_lifecycle_through_the_api_has_bounded_queries(
    world,  # noqa: F811
    bearer,
    django_assert_max_num_queries,
):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    lock = int(connection.vendor == "postgresql")  # pg_advisory_xact_lock of the audit row
    with django_assert_max_num_queries(SUBMIT_QUERIES + lock):
        r = c.post(
            "/api/v1/dossiers/", application(world), content_type="application/json", **bearer
        )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    for act, most in ACTS:
        with django_assert_max_num_queries(most + lock):
            r = c.post(f"/api/v1/dossiers/{code}/{act}/", {}, "application/json", **bearer)
        assert r.status_code == 200, (act, r.content)
        # The act answers the dossier as a fresh read shows it (history and all).
        assert r.json() == c.get(f"/api/v1/dossiers/{code}/", **bearer).json()
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == 10
    # Still one progress record and one audit row per act.
    assert ProgressRecord.objects.filter(dossier=dossier).count() == 5
    rows = AuditEntry.objects.filter(object_type="dossiers.dossier", object_id=str(dossier.pk))
    assert rows.count() == 5


def test_an_act_on_an_invisible_dossier_is_still_404(world, bearer):  # noqa: F811
    from .core_support import submit

    elsewhere = submit(world, organisation=world.b)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = c.post(f"/api/v1/dossiers/{elsewhere.code}/receive/", {}, "application/json", **bearer)
    assert r.status_code == 404
    r = c.post("/api/v1/dossiers/no-such-code/receive/", {}, "application/json", **bearer)
    assert r.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == 1


def test_public_lookup_has_bounded_queries(world, django_assert_max_num_queries):  # noqa: F811
    from .core_support import submit

    dossier = submit(world)
    path = "/api/v1/dossier-lookup/?" + urlencode(
        {"code": dossier.code, "id_number": dossier.applicant_id_number}
    )
    c = Client()
    # The dossier joined to its history, one query; the rate limit's counter is in the cache
    # (none in SQL with the test settings' local-memory cache or with Redis; a read and a
    # write with EGOV_CACHE=db).
    with django_assert_max_num_queries(1):
        r = c.get(path)
    assert r.status_code == 200, r.content
