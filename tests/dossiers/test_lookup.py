"""The lookup's per-address limit, as both callers apply it (services.lookup.public_lookup): the
API counts every request, a malformed one too, and answers 429 before 400; the portal's page
counts only complete searches."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_api_counts_malformed_queries_and_throttles_before_validating(client, settings):
    settings.EGOV_LOOKUP_RATE = "2/min"
    assert [client.get("/api/v1/dossier-lookup/").status_code for _ in range(2)] == [400, 400]
    assert client.get("/api/v1/dossier-lookup/").status_code == 429
    limited = client.get("/api/v1/dossier-lookup/", {"code": "X", "id_number": "1"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_portal_counts_only_complete_searches(client, settings):
    settings.EGOV_LOOKUP_RATE = "2/min"
    for _ in range(3):
        assert client.post("/lookup/", {"code": "X"}).status_code == 400
    for _ in range(2):
        assert client.post("/lookup/", {"code": "X", "id_number": "1"}).status_code == 404
    assert client.post("/lookup/", {"code": "X", "id_number": "1"}).status_code == 429
