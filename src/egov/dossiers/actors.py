"""Who acts on a dossier: the user behind an actor, the official behind a user, the applicant."""

from __future__ import annotations

from egov.accounts import policy


def user_of(actor):
    """The user behind ``actor`` (a user or a request), or None (system, API client)."""
    actor = policy.actor_of(actor) if actor is not None else None
    if actor is None or getattr(actor, "is_client", False) or isinstance(actor, str):
        return None
    return actor if getattr(actor, "pk", None) else None


def official_of(user):
    if user is None:
        return None
    try:
        return user.official
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: not an official
        return None


def is_applicant(actor, dossier) -> bool:
    user = user_of(actor)
    if user is None or dossier.applicant_citizen_id is None:
        return False
    return dossier.applicant_citizen.user_id == user.pk
