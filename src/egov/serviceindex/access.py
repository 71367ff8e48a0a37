"""Who may list what an organisation's figures counted.

Counts, rates and scores are public (the index is published). The procedures behind them are
public too; the dossiers and petitions are not: listing them needs ``serviceindex.read`` at the
organisation (or above it, with its subtree).
"""

from __future__ import annotations

from egov.accounts import policy

from . import scopes
from .presenting import LISTINGS


def may_list_personal(actor, organisation) -> bool:
    if policy.is_superuser(actor):
        return True
    return any(g.scope == scopes.READ and g.covers(organisation.path) for g in policy.grants(actor))


def may_list(actor, organisation, model) -> bool:
    listing = LISTINGS.get(model)
    if listing is None:
        return False
    return listing.kind == "public" or may_list_personal(actor, organisation)


def may_recompute(actor) -> bool:
    return policy.can(actor, scopes.RECOMPUTE)
