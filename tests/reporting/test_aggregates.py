"""The maintained aggregates under concurrency (PostgreSQL): communes of one province approved
at the same moment each move the province's and the nation's rows once, with no lost update and
no deadlock; and a weighted report without its weight cannot be approved."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting.models import Aggregate, Approval, Indicator
from egov.reporting.services import approval
from egov.reporting.services.regimes import create_regime
from egov.reporting.services.submissions import Entry, submit

from ..accounts.officials_support import tree  # noqa: F401
from .approval_support import MONTH, RATE, TOTAL, YEAR, send, world  # noqa: F401

COMMUNES = 6


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_communes_approved_at_once_all_count(django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent approvals are checked on PostgreSQL")
    admin = django_user_model.objects.create_superuser("root", password=None)
    p = org_services.create_organisation(OrganisationData("000.00.00.H26", "Tỉnh P", "province"))
    communes = [
        org_services.create_organisation(
            OrganisationData(f"000.00.{n:02d}.H26", f"Xã {n}", "commune", parent=p)
        )
        for n in range(1, COMMUNES + 1)
    ]
    regime = create_regime(
        actor="test",
        code="dvc-thang",
        name="Báo cáo hằng tháng",
        kind="periodic",
        periodicity="month",
        stages={"commune": 2, "province": 5},
        indicators=Indicator.objects.filter(key__in=[TOTAL, RATE]),
        organisations=communes,
    )
    for n, commune in enumerate(communes, start=1):
        submit(
            actor=admin,
            regime=regime,
            organisation=commune,
            year=YEAR,
            number=MONTH,
            entries=[Entry(TOTAL, str(10 * n)), Entry(RATE, str(n))],
        )
    errors: list[BaseException] = []
    barrier = threading.Barrier(COMMUNES)

    def approver(commune) -> None:
        try:
            barrier.wait()
            approval.act(
                actor=admin,
                name="approve",
                regime=regime,
                organisation=commune,
                year=YEAR,
                number=MONTH,
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approver, args=(c,)) for c in communes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Approval.objects.filter(status="approved").count() == COMMUNES
    total = sum(10 * n for n in range(1, COMMUNES + 1))
    weighted = Decimal(sum(10 * n * n for n in range(1, COMMUNES + 1))) / total
    for node in (p, None):
        rows = Aggregate.objects.filter(organisation=node, year=YEAR, number=MONTH)
        by_key = {r.indicator.key: r for r in rows.select_related("indicator")}
        assert by_key[TOTAL].total == total and by_key[TOTAL].count == COMMUNES
        assert by_key[RATE].total / by_key[RATE].weight == weighted
    assert (
        approval.act(
            actor=admin, name="approve", regime=regime, organisation=p, year=YEAR, number=MONTH
        ).state
        == "approved"
    )


def test_a_weighted_value_without_its_weight_is_not_approved(world):  # noqa: F811
    w = world
    send(w, w.a, w.people.rep_a, **{RATE: "50"})
    with pytest.raises(ValidationError, match="gia quyền|weighted"):
        approval.act(
            actor=w.people.app_a,
            name="approve",
            regime=w.regime,
            organisation=w.a,
            year=YEAR,
            number=MONTH,
        )
    assert not Aggregate.objects.exists()
    assert not Approval.objects.filter(status="approved").exists()
