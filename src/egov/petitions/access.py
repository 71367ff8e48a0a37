"""Where petitions belong, for :mod:`egov.accounts.policy` (imported by the app's ``ready``).

A petition belongs to the organisation holding it now and to its submitter (the citizen's user).
An organisation that passed it on (the centre after forwarding it) keeps reading it through its
hand-offs (registered at ``from_organisation``): :func:`visible_petitions` is the list both see.
"""

from __future__ import annotations

from egov.accounts import policy
from egov.petitions import scopes
from egov.petitions.models import Attachment, HandOff, Petition

OWNER_SCOPES = {scopes.READ, scopes.SUBMIT}

policy.register(
    Petition, organisation="organisation", owner="submitter__user", owner_scopes=OWNER_SCOPES
)
policy.register(
    Attachment,
    organisation="petition__organisation",
    owner="petition__submitter__user",
    owner_scopes=OWNER_SCOPES,
)
policy.register(HandOff, organisation="from_organisation")


def visible_petitions(actor, action: str = scopes.READ, queryset=None):
    """Petitions ``actor`` may ``action``: its organisations' (now or before a hand-off) and its
    own."""
    return policy.visible_with_history(actor, action, Petition, HandOff, "petition_id", queryset)


def can_see(actor, action: str, petition: Petition) -> bool:
    """The object check matching :func:`visible_petitions`."""
    return policy.can_with_history(actor, action, petition, petition.hand_offs.all())
