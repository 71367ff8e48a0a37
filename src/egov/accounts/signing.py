"""Who an official is to the signing service (egov.core.signing): their Holder.

An official's personal certificate is issued to ``official-<pk>`` with their full name and
organisation (egov.core.signing.people); the development signer issues it on first need. Only
officials sign: anyone else is refused with a sentence in Vietnamese.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from egov.accounts.models import Official
from egov.core.signing.people import Holder


def holder_of(user) -> Holder:
    """The signing holder of the logged-in official ``user``; PermissionDenied for others."""
    official = (
        Official.objects.select_related("organisation", "user").filter(user=user).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if official is None:
        raise PermissionDenied(_("Only officials have a personal signing certificate."))
    return holder_of_official(official)


def holder_of_official(official: Official) -> Holder:
    user = official.user
    return Holder(
        id=f"official-{official.pk}",
        full_name=user.get_full_name() or user.get_username(),
        organisation_code=official.organisation.code,
        organisation_name=official.organisation.name,
        title=official.title,
    )
