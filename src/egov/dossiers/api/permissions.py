"""Who may call the dossier API's actions: scopes as everywhere, each act's from the act table."""

from __future__ import annotations

from egov.accounts.scopes import ScopePermission, granted_scopes
from egov.dossiers import scopes
from egov.dossiers.access import can_see
from egov.dossiers.acts import ACTS, BATCH_ACTS


def _is_citizen(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) and hasattr(user, "citizen"))


class DossierPermission(ScopePermission):
    """Scopes as everywhere, except that an act is open to whoever holds any scope the act
    table allows it with (egov.dossiers.acts); citizens (who hold no scopes) may apply, read,
    supplement and withdraw, and the policy's owner rule then limits them to their own
    dossiers."""

    def has_permission(self, request, view) -> bool:
        act = API_ACTS.get(view.action)
        if act is not None:
            held = granted_scopes(request)
            if "*" in held or any(scope in held for scope in act.all_scopes):
                return True
            return act.applicant and _is_citizen(request)
        if super().has_permission(request, view):
            return True
        return view.action in APPLICANT_ACTIONS and _is_citizen(request)

    def has_object_permission(self, request, view, obj) -> bool:
        # Invisible dossiers are 404 already (get_queryset); the act's own rule is the service's.
        return can_see(request, scopes.READ, obj)


APPLICANT_ACTIONS = {"create", "list", "retrieve"}

# The API's acts by action name: each dossier act (its action is its name, or ``api``), and each
# batch act as ``batch_<name>``. The scope the schema shows is the act's first.
API_ACTS = {
    **{act.api: act for act in ACTS.values() if act.sources},
    **{f"batch_{name}": ACTS[name] for name in BATCH_ACTS},
}
ACT_SCOPES = {name: act.scopes[0] for name, act in API_ACTS.items()}
