"""What the consultation's services share: the actor, codes, the audit row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.consultation.errors import ConsultationError
from egov.consultation.models import CodeSequence
from egov.core.numbering import draw
from egov.core.services import audit


def person_of(actor):
    """The logged-in person (a user) behind ``actor``, or None for an API client or nobody."""
    actor = policy.actor_of(actor) if actor is not None else None
    if actor is None or getattr(actor, "is_client", False) or not getattr(actor, "pk", None):
        return None
    if not getattr(actor, "is_authenticated", False):
        return None
    return actor


def require(actor, scope: str, obj, message: str | None = None):
    if not policy.can(actor, scope, obj):
        raise PermissionDenied(message or _("You may not do this."))


def required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ConsultationError({field: [message]}, code="required")
    return value


def next_code(prefix: str) -> str:
    year = timezone.localdate().year
    return f"{prefix}-{year}-{draw(CodeSequence, kind=prefix, year=year):04d}"


def record(actor, action: str, obj, organisation, **summary):
    audit.record(
        actor=policy.actor_of(actor),
        action=f"consultation.{action}",
        obj=obj,
        organisation=organisation,
        summary=summary,
    )
