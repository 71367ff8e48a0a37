"""The reporting demo step on a small tree: reports sent, signed, approved up the tree and
accepted through the services; a second run adds nothing; a run a month later adds the month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.accounts import demo as accounts_demo
from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting import demo
from egov.reporting.models import Aggregate, Approval, ApprovalStatus, Submission
from egov.reporting.models import SubmissionSignature as Signature

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the CA's and two signers' keys


@pytest.fixture
def tree(settings):
    settings.PRODUCTION = False
    create = org_services.create_organisation
    dn = create(OrganisationData(accounts_demo.DEMO_PROVINCE, "Thành phố Đà Nẵng", "province"))
    for i in range(1, 4):
        create(OrganisationData(f"000.00.0{i}.H17", f"Phường {i}", "commune", parent=dn))
    other = create(OrganisationData("000.00.00.H01", "Thành phố Hà Nội", "province"))
    for i in range(1, 3):
        create(OrganisationData(f"000.00.0{i}.H01", f"Phường Hà Nội {i}", "commune", parent=other))
    accounts_demo.load(lambda line: None)  # motcua and lanhdao at the first commune
    return dn


def _today(monkeypatch, day: dt.date) -> None:
    """Move "today" (the closed periods, the cut-offs) and not the clock: freezegun here would
    leave its fake datetime in the modules the first signature imports (cryptography's x509),
    and the certificates of the tests after it would fail."""
    real = timezone.localdate
    moment = dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: real(value or moment, timezone)
    )


def _counts():
    models = (Submission, Approval, Signature, Aggregate, AuditEntry)
    return [m.objects.count() for m in models]


def test_the_demo_reports_are_approved_up_the_tree_once(tree, monkeypatch):
    _today(monkeypatch, dt.date(2026, 11, 20))
    lines = []
    demo.load(lines.append)
    # 7 months x (Đà Nẵng and 3 communes, Hà Nội and 2 communes).
    assert Submission.objects.count() == 7 * 7
    statuses = set(Approval.objects.values_list("status", flat=True))
    assert statuses == {ApprovalStatus.APPROVED, ApprovalStatus.ACCEPTED}
    assert Approval.objects.filter(status=ApprovalStatus.ACCEPTED).count() == 5
    signed = Signature.objects.select_related("submission__organisation", "signed_by")
    assert {s.signed_by.username for s in signed} == {"motcua", "thongke"}
    assert {(s.submission.year, s.submission.number) for s in signed} == {(2026, 11)}
    # The nation's received dossiers are the communes' sum.
    nation = Aggregate.objects.get(
        organisation=None, indicator__key="svc_dossiers_received", year=2026, number=11
    )
    sent = Submission.objects.filter(year=2026, number=11, organisation__level="commune")
    assert nation.total == sum(
        s.values.get(indicator__key="svc_dossiers_received").value for s in sent
    )
    assert "49 sent, 2 signed, 49 approved now" in lines[0]
    before = _counts()
    demo.load(lines.append)
    assert _counts() == before
    _today(monkeypatch, dt.date(2026, 12, 20))
    demo.load(lines.append)
    assert Submission.objects.filter(year=2026, number=12).count() == 7
    assert "14 sent, 2 signed, 14 approved now" in lines[-1]  # December, and December 2025


def test_no_demo_reports_in_production(settings, db):
    settings.PRODUCTION = True
    lines = []
    demo.load(lines.append)
    assert not Submission.objects.exists() and "Production" in lines[0]
