"""Scopes on API actions: the contract every viewset uses.

A viewset declares the scope each action needs::

    class ProcedureViewSet(viewsets.ModelViewSet):
        permission_classes = [ScopePermission]
        required_scopes = {"list": None, "retrieve": None, "create": scopes.WRITE, ...}

``None`` means public. An action missing from ``required_scopes`` is closed to everyone. The
OpenAPI document shows each action's scope as the security requirement of the ``clientToken``
scheme (egov.accounts.schema).

Where scopes come from:
- an API client's token (``request.auth``: an :class:`egov.accounts.authentication.ClientPrincipal`
  with ``.scopes`` and ``.organisations``, the ids it acts for);
- a logged-in official's roles and delegations (``egov.accounts.policy.ROLE_SCOPES``);
- a superuser holds every scope.

``has_permission`` only asks "does the caller hold this scope somewhere?". Which objects the
caller may touch is the policy's answer: a viewset filters its queryset with
``policy.scope_queryset(request, scope, queryset)`` (others' objects then give 404), and
``has_object_permission`` asks ``policy.can(request, scope, obj)`` for objects fetched with
``get_object()``; objects the policy cannot place (no organisation, no owner: national reference
data) need the scope alone.

Each app declares its scopes in its own ``scopes.py`` with :func:`declare` (imported by its
``AppConfig.ready()``), as constants the app's code uses instead of bare strings::

    RECEIVE = declare("dossiers.receive", "Receive and refuse dossiers (one-stop desk)")

:data:`SCOPES` is what the apps declared: the scopes clients can be given and the OpenAPI
document lists. Which roles hold a scope is the app's grant (``policy.grant`` in ``ready()``).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

# Filled by the apps' scopes modules (declare); read it only once the apps are ready.
SCOPES: dict[str, str] = {}


def declare(name: str, description: str) -> str:
    """Add ``name`` to :data:`SCOPES` and return it, for an app's constant."""
    if SCOPES.get(name, description) != description:
        raise ImproperlyConfigured(f"Scope {name} is declared twice with different descriptions.")
    SCOPES[name] = description
    return name


# accounts' own scopes.
READ = declare("accounts.read", "Read officials and their roles")
ADMIN = declare("accounts.admin", "Manage officials, roles, delegations and API clients")

# Reports: held here until the reporting app exists; it then declares them in its own
# scopes.py (the names stay) and takes over the REPORTER and APPROVER grants (accounts' apps.py).
REPORTS_READ = declare("reports.read", "Read reports")
REPORTS_SUBMIT = declare("reports.submit", "Submit report data sets")
REPORTS_APPROVE = declare("reports.approve", "Approve report data sets")


def required_scope(view, action=None):
    """The scope ``view``'s action needs: a name, None (public) or "missing" (undeclared)."""
    action = action if action is not None else getattr(view, "action", None)
    return getattr(view, "required_scopes", {}).get(action, "missing")


def granted_scopes(request) -> set[str]:
    auth = getattr(request, "auth", None)
    scopes = getattr(auth, "scopes", None)
    if scopes is not None:
        return set(scopes)
    from egov.accounts import policy

    return policy.scopes_of(getattr(request, "user", None))


class ScopePermission(BasePermission):
    message = _("This action needs a scope your credentials do not have.")

    def has_permission(self, request, view) -> bool:
        needed = required_scope(view)
        if needed is None:
            return True
        if needed == "missing":
            return False  # an action nobody declared is closed, not open
        held = granted_scopes(request)
        return "*" in held or needed in held

    def has_object_permission(self, request, view, obj) -> bool:
        needed = required_scope(view)
        if needed is None:
            return True
        from egov.accounts import policy

        if not policy.is_placed(obj):
            return True  # not an organisation's or a person's object: the scope is the rule
        return policy.can(request, needed, obj)
