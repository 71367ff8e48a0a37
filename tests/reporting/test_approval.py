"""Approval up the tree (services.approval, approval_acts): the order of the levels, exemptions,
un-approving from the top down, locked values and revisions, and the aggregates moved by each
act (services.aggregates)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core.models import AuditEntry
from egov.reporting.approval_acts import IllegalTransition
from egov.reporting.models import Aggregate, Approval, DataValue, Indicator, Revision
from egov.reporting.services import approval
from egov.reporting.services.submissions import Entry

from ..accounts.officials_support import tree  # noqa: F401
from .approval_support import MONTH, NATIONAL, RATE, TOTAL, YEAR, send, world  # noqa: F401


def act(w, name, organisation, actor, reason=""):
    return approval.act(
        actor=actor,
        name=name,
        regime=w.regime,
        organisation=organisation,
        year=YEAR,
        number=MONTH,
        reason=reason,
    )


def figure(w, key, organisation=None):
    row = Aggregate.objects.filter(
        regime=w.regime,
        indicator__key=key,
        organisation=organisation,
        year=YEAR,
        number=MONTH,
        disaggregation="",
    ).first()
    if row is None or row.count == 0:
        return None
    return row.total / row.weight if row.weight else row.total


def test_a_province_cannot_approve_before_its_communes(world):  # noqa: F811
    w = world
    send(w, w.a, w.people.rep_a, **{TOTAL: "100", RATE: "50"})
    assert approval.load(w.regime, w.p, YEAR, MONTH).state == "waiting"
    assert act(w, "approve", w.a, w.people.app_a).state == "approved"
    with pytest.raises(IllegalTransition, match="cấp dưới|lower level"):
        act(w, "approve", w.p, w.people.app_p)  # B has not even reported
    assert not Approval.objects.filter(organisation=w.p, status="approved").exists()
    # B reports but is not approved: still refused.
    send(w, w.b, w.people.rep_b, **{TOTAL: "300", RATE: "10"})
    with pytest.raises(IllegalTransition):
        act(w, "approve", w.p, w.people.app_p)
    act(w, "approve", w.b, w.people.app_b)
    assert act(w, "approve", w.p, w.people.app_p).state == "approved"


def test_an_exemption_needs_a_reason_and_lets_the_province_approve(world):  # noqa: F811
    w = world
    send(w, w.a, w.people.rep_a, **{TOTAL: "100", RATE: "50"})
    act(w, "approve", w.a, w.people.app_a)
    with pytest.raises(ValidationError):
        act(w, "exempt", w.b, w.people.app_p, reason="  ")
    # The commune's own approver cannot exempt itself: the level above does.
    with pytest.raises(PermissionDenied):
        act(w, "exempt", w.b, w.people.app_b, reason="Mất điện")
    unit = act(w, "exempt", w.b, w.people.app_p, reason="Xã B bị lũ cô lập")
    assert unit.state == "exempted" and unit.approval.reason == "Xã B bị lũ cô lập"
    assert act(w, "approve", w.p, w.people.app_p).state == "approved"
    entry = AuditEntry.objects.filter(action="reporting.exempt").get()
    assert entry.summary["reason"] == "Xã B bị lũ cô lập"


def test_unapproving_goes_from_the_top_down(world):  # noqa: F811
    w = world
    send(w, w.a, w.people.rep_a, **{TOTAL: "100", RATE: "50"})
    act(w, "approve", w.a, w.people.app_a)
    act(w, "exempt", w.b, w.people.app_p, reason="Chưa có số liệu")
    act(w, "accept", w.a, w.people.app_p)
    with pytest.raises(IllegalTransition, match="từ trên xuống|top down"):
        act(w, "unapprove", w.a, w.people.app_a)
    act(w, "approve", w.p, w.people.app_p)
    for name, unit in (("unaccept", w.a), ("unexempt", w.b)):
        with pytest.raises(IllegalTransition):
            act(w, name, unit, w.people.app_p)
    assert Approval.objects.get(organisation=w.a).status == "accepted"
    # From the top: the province, then its acceptance, then the commune.
    act(w, "unapprove", w.p, w.people.app_p)
    act(w, "unaccept", w.a, w.people.app_p)
    assert act(w, "unapprove", w.a, w.people.app_a).state == "ready"
    assert figure(w, TOTAL, w.p) is None and figure(w, TOTAL) is None


def test_approved_values_are_locked_and_corrected_by_a_revision(world):  # noqa: F811
    w = world
    submission = send(w, w.a, w.people.rep_a, **{TOTAL: "100", RATE: "50"})
    act(w, "approve", w.a, w.people.app_a)
    with pytest.raises(ValidationError, match="locked|khóa"):
        send(w, w.a, w.people.rep_a, **{TOTAL: "999", RATE: "50"})
    assert DataValue.objects.get(submission=submission, indicator__key=TOTAL).value == 100
    with pytest.raises(ValidationError):  # no reason
        approval.revise(
            actor=w.people.app_a, submission=submission, entries=[Entry(TOTAL, "120")], reason=""
        )
    revision = approval.revise(
        actor=w.people.app_a,
        submission=submission,
        entries=[Entry(TOTAL, "120")],
        reason="Sót 20 hồ sơ nhận qua bưu chính",
    )
    assert revision.number == 1 and revision.made_by == w.people.app_a
    assert revision.changes == [
        {"indicator": TOTAL, "disaggregation": "", "before": "100", "after": "120"}
    ]
    assert figure(w, TOTAL, w.p) == 120 and figure(w, TOTAL) == 120
    assert figure(w, RATE) == 50  # the weight moved with it: still 50 %
    entry = AuditEntry.objects.filter(action="reporting.revised").get()
    assert entry.summary["reason"] == "Sót 20 hồ sơ nhận qua bưu chính"
    # A reporter cannot correct approved values.
    with pytest.raises(PermissionDenied):
        approval.revise(
            actor=w.people.rep_a, submission=submission, entries=[Entry(TOTAL, "1")], reason="x"
        )
    assert Revision.objects.count() == 1


def test_a_weighted_average_uses_its_weights(world):  # noqa: F811
    w = world
    send(w, w.a, w.people.rep_a, **{TOTAL: "100", RATE: "50"})
    send(w, w.b, w.people.rep_b, **{TOTAL: "300", RATE: "10"})
    act(w, "approve", w.a, w.people.app_a)
    act(w, "approve", w.b, w.people.app_b)
    # (100 x 50 + 300 x 10) / 400 = 20, not the plain mean 30.
    assert figure(w, RATE, w.p) == 20 and figure(w, RATE) == 20
    assert figure(w, TOTAL, w.p) == 400


def test_a_national_only_figure_is_never_summed(world):  # noqa: F811
    w = world
    send(w, w.a, w.people.rep_a, **{TOTAL: "100", RATE: "50", NATIONAL: "2.5"})
    send(w, w.c, w.people.rep_c, **{TOTAL: "7", RATE: "90", NATIONAL: "3.1"})
    act(w, "approve", w.a, w.people.app_a)
    assert figure(w, NATIONAL, w.a) == Decimal("2.5")
    assert figure(w, NATIONAL, w.p) is None and figure(w, NATIONAL) is None
    act(w, "approve", w.c, w.people.app_c)
    assert figure(w, NATIONAL) == Decimal("3.1")  # the central body's, not 2.5 + 3.1
    assert figure(w, TOTAL) == 107
    assert Indicator.objects.get(key=NATIONAL).aggregation == "national_only"


def test_each_approval_moves_the_totals_at_once(world):  # noqa: F811
    w = world
    send(w, w.a, w.people.rep_a, **{TOTAL: "100", RATE: "50"})
    send(w, w.b, w.people.rep_b, **{TOTAL: "300", RATE: "10"})
    assert figure(w, TOTAL) is None  # submitted is not approved
    act(w, "approve", w.a, w.people.app_a)
    assert (figure(w, TOTAL, w.a), figure(w, TOTAL, w.p), figure(w, TOTAL)) == (100, 100, 100)
    act(w, "approve", w.b, w.people.app_b)
    assert figure(w, TOTAL, w.p) == 400 and figure(w, TOTAL) == 400
    act(w, "unapprove", w.b, w.people.app_b)
    assert figure(w, TOTAL, w.p) == 100 and figure(w, TOTAL) == 100
    # Undo and redo leave exactly one row per node: increments, not copies.
    assert Aggregate.objects.filter(indicator__key=TOTAL, organisation=None).count() == 1


def test_a_refused_act_writes_nothing(world):  # noqa: F811
    w = world
    before = AuditEntry.objects.count()
    with pytest.raises(IllegalTransition):
        act(w, "approve", w.a, w.people.app_a)  # no report yet
    with pytest.raises(ValidationError):
        approval.act(
            actor=w.people.app_a,
            name="approve",
            regime=w.regime,
            organisation=w.a,
            year=YEAR,
            number=13,
        )
    assert not Approval.objects.exists() and AuditEntry.objects.count() == before
