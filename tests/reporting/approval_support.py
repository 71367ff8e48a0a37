"""A monthly regime for the approval and aggregation tests: communes A and B of province P and a
central body C report dossiers received (a sum), the online rate (weighted by dossiers
received) and core inflation (national only, opened to every level here so that the test can
show it is never summed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting.models import Indicator
from egov.reporting.services import approval
from egov.reporting.services.regimes import create_regime
from egov.reporting.services.submissions import Entry, submit

from ..accounts.officials_support import make_official, tree  # noqa: F401

TOTAL = "svc_dossiers_received"
RATE = "svc_online_dossier_rate"
NATIONAL = "core_inflation"
YEAR, MONTH = 2025, 3


@pytest.fixture
def world(tree):  # noqa: F811
    c = org_services.create_organisation(OrganisationData("000.00.00.G01", "Bộ C", "central"))
    Indicator.objects.filter(key=NATIONAL).update(levels=["national", "province", "commune"])
    regime = create_regime(
        actor="test",
        code="dvc-thang",
        name="Báo cáo thủ tục hành chính hằng tháng",
        kind="periodic",
        periodicity="month",
        stages={"commune": 2, "province": 5, "ministry": 8},
        indicators=Indicator.objects.filter(key__in=[TOTAL, RATE, NATIONAL]),
        organisations=[tree.a, tree.b, c],
    )
    people = SimpleNamespace(
        rep_a=make_official("rep_a", tree.a, "reporter").user,
        rep_b=make_official("rep_b", tree.b, "reporter").user,
        rep_c=make_official("rep_c", c, "reporter").user,
        app_a=make_official("app_a", tree.a, "approver").user,
        app_b=make_official("app_b", tree.b, "approver").user,
        app_p=make_official("app_p", tree.p, "approver", subtree=True).user,
        app_q=make_official("app_q", tree.q, "approver", subtree=True).user,
        app_c=make_official("app_c", c, "approver").user,
    )
    return SimpleNamespace(regime=regime, c=c, people=people, **vars(tree))


def send(w, organisation, actor, **values):
    """Submit ``{indicator key: value}`` for March 2025."""
    return submit(
        actor=actor,
        regime=w.regime,
        organisation=organisation,
        year=YEAR,
        number=MONTH,
        entries=[Entry(key, value) for key, value in values.items()],
    )


def approve(w, organisation, year=YEAR, number=MONTH, **values):
    """Send ``values`` for ``organisation`` and approve them as ``w.root`` (a superuser)."""
    submit(
        actor=w.root,
        regime=w.regime,
        organisation=organisation,
        year=year,
        number=number,
        entries=[Entry(key, value) for key, value in values.items()],
    )
    approval.act(
        actor=w.root,
        name="approve",
        regime=w.regime,
        organisation=organisation,
        year=year,
        number=number,
    )
