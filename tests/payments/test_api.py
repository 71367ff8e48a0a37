"""The payments' read API: the agency's payments with their receipts, in bounded queries."""

from __future__ import annotations

import pytest

from egov.payments.services import payments

from .support import fees_due_dossier, world_with_fees

pytestmark = pytest.mark.django_db


def test_the_desk_lists_its_agency_payments_in_bounded_queries(
    client, django_assert_max_num_queries
):
    w = world_with_fees()
    for n in range(3):
        payments.record_at_desk(
            fees_due_dossier(w), actor=w.desk.user, method="cash", receipt_number=f"BL-{n}"
        )
    client.force_login(w.desk.user)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/payments/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 3
    assert {len(r["receipts"]) for r in rows} == {2}
    one = client.get(f"/api/v1/payments/{rows[0]['reference']}/")
    assert one.json()["status"] == "paid"
    client.force_login(w.desk_b.user)  # commune B: none of A's
    assert client.get("/api/v1/payments/").json()["results"] == []
    assert client.get(f"/api/v1/payments/{rows[0]['reference']}/").status_code == 404
