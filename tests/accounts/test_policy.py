"""egov.accounts.policy: roles at organisations and subtrees, dates, delegation, ownership."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from egov.accounts import current, policy
from egov.accounts.models import Official, TotpDevice
from egov.accounts.services import officials as svc
from egov.core.models import AuditEntry

from .officials_support import make_official, tree  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_role_at_one_organisation_does_not_reach_its_sibling(tree):  # noqa: F811
    desk = make_official("desk", tree.a, "desk").user
    assert policy.can(desk, "dossiers.receive", tree.a)
    assert not policy.can(desk, "dossiers.receive", tree.b)
    assert not policy.can(desk, "dossiers.approve", tree.a)  # not this role's scope
    assert not policy.can(desk, "dossiers.receive", tree.p)  # not upwards either
    with pytest.raises(PermissionDenied):
        policy.check(desk, "dossiers.receive", tree.b)


def test_subtree_role_covers_the_units_below_only(tree):  # noqa: F811
    leader = make_official("leader", tree.p, "approver", subtree=True).user
    assert all(policy.can(leader, "dossiers.approve", o) for o in (tree.p, tree.a, tree.b))
    assert not policy.can(leader, "dossiers.approve", tree.q)
    flat = make_official("flat", tree.p, "approver").user
    assert policy.can(flat, "dossiers.approve", tree.p)
    assert not policy.can(flat, "dossiers.approve", tree.a)


def test_scope_queryset_filters_objects_by_organisation(tree):  # noqa: F811
    admin_p = make_official("admin_p", tree.p, "administrator", subtree=True).user
    admin_a = make_official("admin_a", tree.a, "administrator").user
    make_official("x", tree.b)
    make_official("y", tree.q)
    names = lambda user: sorted(  # noqa: E731
        o.user.username
        for o in policy.scope_queryset(user, "accounts.read", Official.objects.all())
    )
    assert names(admin_p) == ["admin_a", "admin_p", "x"]
    assert names(admin_a) == ["admin_a"]
    anonymous = make_official("z", tree.q).user
    assert names(anonymous) == []


def test_role_validity_dates(tree):  # noqa: F811
    official = make_official("an", tree.a)
    svc.assign_role(
        official,
        "processor",
        tree.a,
        actor="test",
        valid_from=TODAY() + dt.timedelta(days=1),
    )
    assert not policy.can(official.user, "dossiers.process", tree.a)
    assert policy.grants(official.user, on=TODAY() + dt.timedelta(days=1))
    assignment = svc.assign_role(official, "desk", tree.a, actor="test")
    current.forget(official.user)
    assert policy.can(official.user, "dossiers.receive", tree.a)
    svc.end_role(assignment, actor="test")
    current.forget(official.user)
    assert not policy.can(official.user, "dossiers.receive", tree.a)


def test_delegation_for_a_date_range_and_acts_recorded_as_delegated(tree):  # noqa: F811
    leader = make_official("leader", tree.a, "approver")
    deputy = make_official("deputy", tree.a, "processor")
    assert not policy.can(deputy.user, "dossiers.approve", tree.a)
    delegation = svc.delegate(
        delegator=leader,
        delegate=deputy,
        role="approver",
        organisation=tree.a,
        starts_on=TODAY(),
        ends_on=TODAY() + dt.timedelta(days=6),
        actor=leader.user,
        reason="annual leave",
    )
    current.forget(deputy.user)
    decision = policy.check(deputy.user, "dossiers.approve", tree.a)
    assert decision.delegated
    with transaction.atomic():
        policy.audit(deputy.user, "dossiers.approve", tree.a, decision)
    entry = AuditEntry.objects.filter(action="dossiers.approve").get()
    assert entry.actor == f"user:{deputy.user.pk}"
    assert entry.summary == {"delegation": delegation.pk, "on_behalf_of": f"user:{leader.user.pk}"}
    # The deputy's own role is not delegated.
    assert not policy.check(deputy.user, "dossiers.process", tree.a).delegated
    # Outside the dates, or after revocation, nothing.
    assert not policy.can(deputy.user, "dossiers.approve", tree.b)
    assert not policy.grants(deputy.user, on=TODAY() + dt.timedelta(days=7)) or not any(
        g.delegation_id for g in policy.grants(deputy.user, on=TODAY() + dt.timedelta(days=7))
    )
    svc.revoke_delegation(delegation, actor=leader.user)
    current.forget(deputy.user)
    assert not policy.can(deputy.user, "dossiers.approve", tree.a)
    recorded = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.delegation_created", "accounts.delegation_revoked"} <= recorded


def test_delegation_needs_the_role_and_lapses_with_it(tree):  # noqa: F811
    leader = make_official("leader", tree.a)
    deputy = make_official("deputy", tree.a)
    with pytest.raises(ValidationError) as info:
        svc.delegate(
            delegator=leader,
            delegate=deputy,
            role="approver",
            organisation=tree.a,
            starts_on=TODAY(),
            ends_on=TODAY(),
            actor="test",
        )
    assert "role" in info.value.message_dict
    assignment = svc.assign_role(leader, "approver", tree.a, actor="test")
    svc.delegate(
        delegator=leader,
        delegate=deputy,
        role="approver",
        organisation=tree.a,
        starts_on=TODAY(),
        ends_on=TODAY(),
        actor="test",
    )
    assert policy.can(deputy.user, "dossiers.approve", tree.a)
    svc.end_role(assignment, actor="test")
    current.forget(deputy.user)
    assert not policy.can(deputy.user, "dossiers.approve", tree.a)


def test_citizen_sees_only_their_own(tree, monkeypatch):  # noqa: F811
    # Any model can say who owns its rows; here the authenticator devices of two users.
    monkeypatch.setitem(
        policy._registry,
        TotpDevice,
        policy.Registration(organisation=None, owner="user", owner_scopes=frozenset({"x.read"})),
    )
    from egov.accounts.services import login

    one = make_official("one", tree.a).user
    two = make_official("two", tree.a).user
    login.start_enrolment(one)
    login.start_enrolment(two)
    mine = policy.scope_queryset(one, "x.read", TotpDevice.objects.all())
    assert [d.user_id for d in mine] == [one.pk]
    assert policy.can(one, "x.read", TotpDevice.objects.get(user=one))
    assert not policy.can(one, "x.read", TotpDevice.objects.get(user=two))
    assert not policy.can(one, "x.write", TotpDevice.objects.get(user=one))


def test_superuser_may_everything_and_anonymous_nothing(tree, django_user_model):  # noqa: F811
    from django.contrib.auth.models import AnonymousUser

    root = django_user_model.objects.create_superuser("root", "r@example.org", "x")
    assert policy.can(root, "dossiers.approve", tree.q)
    assert not policy.can(AnonymousUser(), "dossiers.read", tree.q)
    assert (
        policy.scope_queryset(AnonymousUser(), "accounts.read", Official.objects.all()).count() == 0
    )


def test_scope_permission_object_check_uses_the_policy(tree, rf):  # noqa: F811
    from types import SimpleNamespace

    from egov.accounts.scopes import ScopePermission

    admin_a = make_official("admin_a", tree.a, "administrator").user
    view = SimpleNamespace(action="retrieve", required_scopes={"retrieve": "accounts.read"})
    request = SimpleNamespace(user=admin_a, auth=None, META={})
    permission = ScopePermission()
    assert permission.has_permission(request, view)
    mine = make_official("mine", tree.a)
    theirs = make_official("theirs", tree.b)
    assert permission.has_object_permission(request, view, mine)
    assert not permission.has_object_permission(request, view, theirs)
    # National reference data without an organisation: the scope alone decides.
    assert permission.has_object_permission(request, view, SimpleNamespace())
