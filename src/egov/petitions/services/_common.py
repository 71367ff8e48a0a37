"""What every petition act shares: the lock, the checks, the hand-off line, the audit row and
the submitter's e-mail, in the act's transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.models import Organisation
from egov.core.services import audit
from egov.petitions.acts import ACTS, check_transition, may
from egov.petitions.errors import PetitionError
from egov.petitions.models import HandOff, Petition
from egov.petitions.services import notifications


def user_of(actor):
    actor = policy.actor_of(actor) if actor is not None else None
    if actor is None or getattr(actor, "is_client", False) or not getattr(actor, "pk", None):
        return None
    return actor


def centre() -> Organisation:
    """The centre receiving petitions: the organisation running this instance."""
    found = Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).order_by("-pk")
    org = found.first()
    if org is None:
        raise PetitionError(
            _("This installation has no centre to receive petitions."), code="no_centre"
        )
    return org


def begin(actor, petition, act: str) -> tuple[Petition, int]:
    """The petition locked for the act, and the status it leads to. PermissionDenied if the
    actor may not make it here (asked first: a refused caller learns nothing of the status),
    IllegalTransition if the status does not allow it."""
    # Only the petition's row: its submitter (a left join since forwarded ones have none) is not.
    locked = (
        Petition.objects.select_for_update(of=("self",))
        .select_related("submitter")
        .get(pk=petition.pk)
    )
    if not may(actor, act, locked):
        raise PermissionDenied(_("You may not do this to this petition."))
    return locked, check_transition(locked, act)


def required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise PetitionError({field: [message]}, code="required")
    return value


def finish(actor, petition, act: str, *, now, note="", from_organisation=None, summary=None):
    """Save the petition, write its hand-off line, the audit row and the submitter's e-mail."""
    petition.save()
    hand_off = HandOff.objects.create(
        petition=petition,
        act=act,
        status=petition.status,
        from_organisation=from_organisation or petition.organisation,
        to_organisation=petition.organisation,
        actor=user_of(actor),
        note=note,
        due_at=petition.due_at,
        at=now,
    )
    audit.record(
        actor=policy.actor_of(actor),
        action=f"petitions.{act}",
        obj=petition,
        organisation=petition.organisation,
        summary={"code": petition.code, "status": petition.status, **(summary or {})},
    )
    notifications.queue_email(petition, key=f"h{hand_off.pk}", note=note)
    return petition


__all__ = ["ACTS", "begin", "centre", "finish", "required", "user_of"]
