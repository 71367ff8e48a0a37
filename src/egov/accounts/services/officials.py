"""Officials, their roles at organisations, and delegations: one door for every writer."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.accounts.models import Delegation, LoginLockout, Official, Role, RoleAssignment
from egov.core.services import audit


@transaction.atomic
def create_official(
    *,
    username: str,
    password: str,
    organisation,
    actor,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    is_staff: bool = False,
) -> Official:
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    official = Official.objects.create(user=user, organisation=organisation, title=title)
    audit.record(
        actor=actor,
        action="accounts.official_created",
        obj=official,
        organisation=organisation,
        summary={"user": user.pk},
    )
    return official


@transaction.atomic
def update_official(official: Official, *, actor, **changes) -> Official:
    for name, value in changes.items():
        setattr(official, name, value)
    official.save()
    audit.record(
        actor=actor,
        action="accounts.official_changed",
        obj=official,
        organisation=official.organisation_id,
        summary={"fields": sorted(changes)},
    )
    return official


@transaction.atomic
def name_official(official: Official, *, first_name: str, last_name: str, title: str, actor):
    """The official's name (on the login identity) and title, as pages and forms print them."""
    user = official.user
    user.first_name, user.last_name = first_name[:150], last_name[:150]
    user.save(update_fields=["first_name", "last_name"])
    official.title = title[:255]
    official.save(update_fields=["title"])
    audit.record(
        actor=actor,
        action="accounts.official_changed",
        obj=official,
        organisation=official.organisation_id,
        summary={"fields": ["first_name", "last_name", "title"]},
    )
    return official


@transaction.atomic
def set_password(user, password: str, *, actor, action="accounts.password_changed") -> None:
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # A new password ends a lockout: the reset link proved control of the mailbox.
    LoginLockout.objects.filter(user=user).update(failed_attempts=0, locked_until=None)
    audit.record(actor=actor, action=action, obj=user)


def _check_dates(start, end, *, start_field, end_field):
    if start and end and end < start:
        raise ValidationError({end_field: _("The end date is before the start date.")})


@transaction.atomic
def assign_role(
    official: Official,
    role: str,
    organisation,
    *,
    actor,
    include_subtree: bool = False,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    _check_dates(valid_from, valid_to, start_field="valid_from", end_field="valid_to")
    assignment = RoleAssignment.objects.create(
        official=official,
        role=role,
        organisation=organisation,
        include_subtree=include_subtree,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit.record(
        actor=actor,
        action="accounts.role_assigned",
        obj=assignment,
        organisation=organisation,
        summary={
            "official": official.pk,
            "role": role,
            "include_subtree": include_subtree,
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_to": valid_to.isoformat() if valid_to else None,
        },
    )
    return assignment


@transaction.atomic
def end_role(assignment: RoleAssignment, *, actor, on: dt.date | None = None) -> RoleAssignment:
    """The role ends at the end of ``on`` (default yesterday: it is gone today)."""
    day = on or (timezone.localdate() - dt.timedelta(days=1))
    assignment.valid_to = day
    if assignment.valid_from and assignment.valid_from > day:
        assignment.valid_from = day
    assignment.save(update_fields=["valid_to", "valid_from"])
    audit.record(
        actor=actor,
        action="accounts.role_ended",
        obj=assignment,
        organisation=assignment.organisation_id,
        summary={"valid_to": day.isoformat()},
    )
    return assignment


@transaction.atomic
def delegate(
    *,
    delegator: Official,
    delegate: Official,
    role: str,
    organisation,
    starts_on: dt.date,
    ends_on: dt.date,
    actor,
    include_subtree: bool = False,
    reason: str = "",
) -> Delegation:
    """``delegator`` hands ``role`` at ``organisation`` to ``delegate`` from/to those dates."""
    errors: dict[str, list[str]] = {}
    if delegator.pk == delegate.pk:
        errors["delegate"] = [_("An official cannot delegate to themself.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    if role not in Role.values:
        errors["role"] = [_("Unknown role “%(role)s”.") % {"role": role}]
    elif not all(
        policy.delegator_holds(delegator, role, organisation, include_subtree, day)
        for day in (starts_on, ends_on)
    ):
        errors["role"] = [_("The delegator does not hold this role there for these dates.")]
    if errors:
        raise ValidationError(errors)
    delegation = Delegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        role=role,
        organisation=organisation,
        include_subtree=include_subtree,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
    )
    audit.record(
        actor=actor,
        action="accounts.delegation_created",
        obj=delegation,
        organisation=organisation,
        summary={
            "delegator": delegator.pk,
            "delegate": delegate.pk,
            "role": role,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return delegation


@transaction.atomic
def revoke_delegation(delegation: Delegation, *, actor) -> Delegation:
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="accounts.delegation_revoked",
        obj=delegation,
        organisation=delegation.organisation_id,
    )
    return delegation
