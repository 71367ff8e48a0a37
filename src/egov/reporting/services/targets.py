"""Setting and removing an indicator's target: one transaction each, audited.

A target for one organisation needs ``reports.targets`` there; a target for every
organisation (none named) needs it at a central body, or a superuser: it colours the nation's
figures and every province's.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.models import Organisation
from egov.core.services import audit

from .. import scopes
from ..models import Target


def may_set_everywhere(actor) -> bool:
    if policy.is_superuser(actor):
        return True
    held = [g.organisation_id for g in policy.grants(actor) if g.scope == scopes.TARGETS]
    return bool(held) and Organisation.objects.filter(pk__in=held, level="central").exists()


def check_setter(actor, organisation) -> None:
    if organisation is None:
        if not may_set_everywhere(actor):
            raise PermissionDenied(_("You may not set a target for every organisation."))
    else:
        policy.check(actor, scopes.TARGETS, organisation)


def _summary(target: Target) -> dict:
    return {
        "indicator": target.indicator.key,
        "organisation": target.organisation.code if target.organisation else None,
        "year": target.year,
        "number": target.number,
        "direction": target.direction,
        "low": None if target.low is None else str(target.low),
        "high": None if target.high is None else str(target.high),
        "near_percent": str(target.near_percent),
    }


def _locked(key: dict) -> Target | None:
    return (
        # Only the target's row (its default order joins the nullable organisation, which
        # PostgreSQL will not lock).
        Target.objects.select_for_update(of=("self",)).order_by().filter(**key).first()
    )


@transaction.atomic
def set_target(
    *,
    actor,
    indicator,
    organisation=None,
    year: int = 0,
    number: int = 0,
    direction: str,
    low: Decimal | None = None,
    high: Decimal | None = None,
    near_percent: Decimal = Decimal(5),
    note: str = "",
) -> Target:
    """Create the target of (indicator, organisation, year, number) or replace its terms.
    ValidationError (Vietnamese) on bad terms, PermissionDenied outside the caller's scope.
    Two first-time calls at once both succeed: the later one replaces the first's terms."""
    check_setter(actor, organisation)
    key = {"indicator": indicator, "organisation": organisation, "year": year, "number": number}

    def terms(target: Target) -> Target:
        target.direction, target.low, target.high = direction, low, high
        target.near_percent, target.note = near_percent, note
        target.full_clean(validate_unique=False, validate_constraints=False)
        return target

    target = _locked(key) or Target(**key)
    created = target.pk is None
    terms(target)
    try:
        with transaction.atomic():  # a savepoint: a lost race must not spoil the transaction
            target.save()
    except IntegrityError:
        # Another first-time call for the same key inserted between the look-up (which locks
        # no absent row) and this insert, and committed (PostgreSQL made this insert wait for
        # it): its row is there now; replace its terms, as a call just after it would.
        if not created:
            raise
        target = _locked(key)
        if target is None:
            raise
        created = False
        terms(target).save()
    audit.record(
        actor=actor,
        action="reporting.target_set" if created else "reporting.target_changed",
        obj=target,
        organisation=organisation,
        summary=_summary(target),
    )
    return target


@transaction.atomic
def remove_target(*, actor, target: Target) -> None:
    check_setter(actor, target.organisation)
    summary, pk, organisation = _summary(target), target.pk, target.organisation
    target.delete()
    audit.record(
        actor=actor,
        action="reporting.target_removed",
        object_type="reporting.target",
        object_id=pk,
        organisation=organisation,
        summary=summary,
    )
