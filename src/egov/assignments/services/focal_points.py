"""Naming an organisation's focal point for its assigned tasks (đầu mối theo dõi): the official
who gets the reminders with the person responsible."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.assignments import scopes
from egov.assignments.errors import AssignmentError
from egov.assignments.models import FocalPoint
from egov.core.services import audit


def set_focal_point(actor, organisation, official) -> FocalPoint:
    """The organisation's leader (``assignments.manage`` there) names one of its officials."""
    if not policy.can(actor, scopes.MANAGE, organisation):
        raise PermissionDenied(_("Only the organisation's leaders can name its focal point."))
    if official.organisation_id != organisation.pk:
        raise AssignmentError(
            {"official": [_("The focal point must be an official of the organisation.")]},
            code="focal_point",
        )
    with transaction.atomic():
        focal, _created = FocalPoint.objects.update_or_create(
            organisation=organisation, defaults={"official": official}
        )
        audit.record(
            actor=policy.actor_of(actor),
            action="assignments.set_focal_point",
            obj=focal,
            organisation=organisation,
            summary={"official": official.pk},
        )
    return focal
