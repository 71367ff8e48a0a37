"""Đại diện, ủy quyền: an official records that a citizen may act for another person or a
business, and revokes it; the dossier intake asks :func:`may_apply_for`.

Audit rows carry ids and kinds only, never a name or an ID number.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy, scopes
from egov.accounts.models import Citizen, Representation
from egov.accounts.models.citizens import personal_id_validator, tax_code_validator


def record_representation(
    *,
    actor,
    citizen: Citizen,
    kind: str,
    principal_kind: str,
    principal_id_number: str,
    principal_name: str,
    organisation,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    basis: str = "",
) -> Representation:
    """``citizen`` may act for the person or business named, from/to those dates, as verified
    at ``organisation`` (the actor needs ``accounts.admin`` there)."""
    decision = policy.check(actor, scopes.ADMIN, organisation) if actor is not None else None
    principal_id_number = (principal_id_number or "").strip()
    check_representation(
        citizen=citizen,
        kind=kind,
        principal_kind=principal_kind,
        principal_id_number=principal_id_number,
        principal_name=principal_name,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    with transaction.atomic():
        representation = Representation.objects.create(
            citizen=citizen,
            kind=kind,
            principal_kind=principal_kind,
            principal_id_number=principal_id_number,
            principal_name=principal_name.strip()[:255],
            basis=(basis or "").strip()[:255],
            valid_from=valid_from,
            valid_to=valid_to,
            organisation=organisation,
            recorded_by=_user(actor),
        )
        policy.audit(
            actor,
            "accounts.representation_recorded",
            representation,
            decision,
            summary={
                "citizen": citizen.pk,
                "kind": kind,
                "principal_kind": principal_kind,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
            },
            organisation=organisation.pk,
        )
    return representation


def check_representation(
    *, citizen, kind, principal_kind, principal_id_number, principal_name, valid_from, valid_to
) -> None:
    """ValidationError naming each field that is wrong (the admin's form shows them)."""
    principal_id_number = (principal_id_number or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in Representation.Kind.values:
        errors["kind"] = [_("Choose đại diện or ủy quyền.")]
    validator = {
        Representation.PrincipalKind.CITIZEN: personal_id_validator,
        Representation.PrincipalKind.BUSINESS: tax_code_validator,
    }.get(principal_kind)
    if validator is None:
        errors["principal_kind"] = [_("Choose a person or a business.")]
    else:
        try:
            validator(principal_id_number)
        except ValidationError as exc:
            errors["principal_id_number"] = exc.messages
    if (
        principal_kind == Representation.PrincipalKind.CITIZEN
        and citizen is not None
        and principal_id_number == citizen.personal_id_number
    ):
        errors["principal_id_number"] = [_("A citizen does not need to represent herself.")]
    if not (principal_name or "").strip():
        errors["principal_name"] = [_("Give the name of the one represented.")]
    if valid_from and valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("The end date is before the start date.")]
    if errors:
        raise ValidationError(errors)


def revoke_representation(representation: Representation, *, actor) -> Representation:
    decision = policy.check(actor, scopes.ADMIN, representation) if actor is not None else None
    with transaction.atomic():
        if representation.revoked_at is None:
            representation.revoked_at = timezone.now()
            representation.save(update_fields=["revoked_at"])
        policy.audit(
            actor,
            "accounts.representation_revoked",
            representation,
            decision,
            organisation=representation.organisation_id,
        )
    return representation


def _user(actor):
    actor = policy.actor_of(actor)
    return actor if getattr(actor, "pk", None) and not getattr(actor, "is_client", False) else None


def in_force(day: dt.date | None = None):
    """Representations valid on ``day`` (today) and not revoked."""
    day = day or timezone.localdate()
    return Representation.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        valid_from__lte=day,
        revoked_at__isnull=True,
    )


def represents(citizen: Citizen, tax_code: str) -> bool:
    """Does ``citizen`` act for the business ``tax_code``: asserted by the identity provider at
    login, or recorded by an official, and not revoked."""
    if not tax_code:
        return False
    if citizen.business_representations.filter(tax_code=tax_code, revoked_at__isnull=True).exists():
        return True
    return (
        in_force()
        .filter(citizen=citizen, principal_kind="business", principal_id_number=tax_code)
        .exists()
    )


def may_apply_for(citizen: Citizen, kind: str, id_number: str) -> bool:
    """May ``citizen`` file a dossier whose applicant is (``kind``, ``id_number``): herself, a
    business she represents, or a person she is recorded as acting for."""
    id_number = (id_number or "").strip()
    if kind == "business":
        return represents(citizen, id_number)
    if citizen.personal_id_number and id_number == citizen.personal_id_number:
        return True
    return (
        in_force()
        .filter(citizen=citizen, principal_kind="citizen", principal_id_number=id_number)
        .exists()
    )
