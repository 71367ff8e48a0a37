"""Where dossiers belong, for :mod:`egov.accounts.policy` (imported by the app's ``ready``).

A dossier belongs to the agency handling it now (``organisation``) and to its applicant (the
citizen's user). An agency that transferred a dossier on (liên thông) keeps reading it through the
``Transfer`` row (registered at ``from_organisation``): :func:`visible_dossiers` is the list both
see.
"""

from __future__ import annotations

from egov.accounts import policy
from egov.dossiers import scopes
from egov.dossiers.models import (
    Dossier,
    DossierComponent,
    ProgressRecord,
    Transfer,
)

OWNER_SCOPES = {scopes.READ, scopes.APPLY}

policy.register(
    Dossier,
    organisation="organisation",
    owner="applicant_citizen__user",
    owner_scopes=OWNER_SCOPES,
)
policy.register(
    DossierComponent,
    organisation="dossier__organisation",
    owner="dossier__applicant_citizen__user",
    owner_scopes=OWNER_SCOPES,
)
policy.register(
    ProgressRecord,
    organisation="dossier__organisation",
    owner="dossier__applicant_citizen__user",
    owner_scopes=OWNER_SCOPES,
)
policy.register(Transfer, organisation="from_organisation")


def visible_dossiers(actor, action: str = scopes.READ, queryset=None):
    """Dossiers ``actor`` may ``action``: its agencies' (now or before a transfer) and its own."""
    return policy.visible_with_history(actor, action, Dossier, Transfer, "dossier_id", queryset)


def can_see(actor, action: str, dossier: Dossier) -> bool:
    """The object check matching :func:`visible_dossiers`."""
    return policy.can_with_history(actor, action, dossier, dossier.transfers.all())
