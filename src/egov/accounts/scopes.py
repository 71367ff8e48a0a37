"""Scopes on API actions: the contract every viewset uses (issue 3 fills in API clients).

A viewset declares the scope each action needs::

    class ProcedureViewSet(viewsets.ModelViewSet):
        permission_classes = [ScopePermission]
        required_scopes = {"list": None, "retrieve": None, "create": "catalog.write", ...}

``None`` means public. A caller holds scopes either through an API client's token
(``request.auth.scopes``, set by the client authentication of egov.accounts) or, for a logged-in
person, through their roles (``egov.accounts.policy``, issue 3). Until roles exist a superuser
holds every scope and nobody else holds any.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission


def granted_scopes(request) -> set[str]:
    auth = getattr(request, "auth", None)
    scopes = getattr(auth, "scopes", None)
    if scopes is not None:
        return set(scopes)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_superuser:
        return {"*"}
    return set()


class ScopePermission(BasePermission):
    message = "This action needs a scope your credentials do not have."

    def has_permission(self, request, view) -> bool:
        needed = getattr(view, "required_scopes", {}).get(getattr(view, "action", None), "missing")
        if needed is None:
            return True
        if needed == "missing":
            return False  # an action nobody declared is closed, not open
        held = granted_scopes(request)
        return "*" in held or needed in held
