"""The one place that decides "may this actor do this to this object".

Views, the API (through :class:`egov.accounts.scopes.ScopePermission`), the admin, tasks and
management commands all ask here::

    from egov.accounts import policy

    policy.can(actor, "dossiers.receive", dossier)          # -> bool
    decision = policy.check(actor, "dossiers.receive", dossier)  # raises PermissionDenied
    policy.scope_queryset(actor, "dossiers.read", Dossier.objects.all())
    policy.audit(actor, "dossiers.receive", dossier, decision)   # records delegated acts as such

An *action* is a scope name (``egov.accounts.scopes.SCOPES``). An *actor* is a user (an official,
a citizen, a superuser), an API client's principal (``request.auth``), or a request.

Where the right comes from:
- officials: their role assignments valid today at an organisation (optionally its subtree) and
  the delegations they received that are in force today; each role carries the scopes the
  apps granted it (:func:`grant`, in their ``AppConfig.ready()``);
- API clients: their scopes at the organisations they act for;
- citizens: objects they own (the model's registered ``owner`` field) for the scopes the model
  lists in ``owner_scopes``;
- superusers: everything.

A model says where its organisation and its owner are with :func:`register` (default: a field
``organisation``); an object of a model nobody registered and without that field is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

# Which scopes each role carries: every app grants its own scopes in its AppConfig.ready().
ROLE_SCOPES: dict[str, frozenset[str]] = {}


def grant(role: str, *scopes: str) -> None:
    """Give holders of ``role`` these scopes (an app's ``ready()`` calls this for its scopes)."""
    ROLE_SCOPES[role] = ROLE_SCOPES.get(role, frozenset()) | frozenset(scopes)


@dataclass(frozen=True)
class Grant:
    """One scope at one organisation (and maybe its subtree), and where it comes from."""

    scope: str
    organisation_id: int
    path: str
    include_subtree: bool
    role: str = ""
    delegation_id: int | None = None
    delegator_user_id: int | None = None

    def covers(self, path: str) -> bool:
        return path == self.path or (self.include_subtree and path.startswith(self.path))


@dataclass
class Decision:
    allowed: bool
    grant: Grant | None = None
    reason: str = ""

    @property
    def delegated(self) -> bool:
        return bool(self.grant and self.grant.delegation_id)

    def audit_summary(self) -> dict:
        if not self.delegated:
            return {}
        return {
            "delegation": self.grant.delegation_id,
            "on_behalf_of": f"user:{self.grant.delegator_user_id}",
        }


@dataclass(frozen=True)
class Registration:
    organisation: str | None = "organisation"  # "" for the Organisation model itself
    owner: str | None = None
    owner_scopes: frozenset[str] = field(default_factory=frozenset)


_registry: dict[type, Registration] = {}


def register(model, *, organisation="organisation", owner=None, owner_scopes=()) -> None:
    """Say where ``model``'s organisation (a path to an Organisation) and owner (a user) are."""
    _registry[model] = Registration(organisation, owner, frozenset(owner_scopes))


def registration(model) -> Registration:
    from egov.core.models import Organisation

    if model in _registry:
        return _registry[model]
    if model is Organisation:
        return Registration(organisation="")
    meta = getattr(model, "_meta", None)
    names = {f.name for f in meta.get_fields()} if meta else set()
    return Registration(organisation="organisation" if "organisation" in names else None)


# --- Who is acting -------------------------------------------------------------------------


def actor_of(actor):
    """A request becomes its API client principal or its user; anything else is returned as is."""
    if hasattr(actor, "META") and hasattr(actor, "user"):
        auth = getattr(actor, "auth", None)
        return auth if getattr(auth, "is_client", False) else actor.user
    return actor


def _resolve(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def grants(actor, on: dt.date | None = None) -> list[Grant]:
    """Every scope the actor holds on ``on`` (default today), with where it holds it."""
    actor = actor_of(actor)
    day = on or timezone.localdate()
    cache = getattr(actor, "_egov_grants", None)
    if cache is not None and cache[0] == day:
        return cache[1]
    if getattr(actor, "is_client", False):
        result = actor.grants()
    elif getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None):
        result = _official_grants(actor, day)
    else:
        result = []
    with contextlib.suppress(AttributeError):  # remembered for the rest of the request
        actor._egov_grants = (day, result)
    return result


def _valid(qs, day, start="valid_from", end="valid_to"):
    return qs.filter(
        Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": day}),
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day}),
    )


def _official_grants(user, day) -> list[Grant]:
    from egov.accounts import current
    from egov.accounts.models import Delegation, RoleAssignment

    result: list[Grant] = []
    # The official's row (read once per request; the frame and the view's guard need it too)
    # says whether any delegation to them is in force: most have none, and no row, no roles.
    official = current.official_of(user, day)
    if official is None:
        return result
    assignments = list(
        _valid(RoleAssignment.objects.filter(official=official), day).select_related("organisation")
    )
    for a in assignments:
        for scope in ROLE_SCOPES.get(a.role, ()):
            result.append(
                Grant(scope, a.organisation_id, a.organisation.path, a.include_subtree, a.role)
            )
    if not official.egov_delegated:
        return result
    delegations = Delegation.objects.filter(
        delegate=official, revoked_at__isnull=True, starts_on__lte=day, ends_on__gte=day
    ).select_related("organisation", "delegator")
    for d in delegations:
        # A delegation lapses as soon as the leader no longer holds the role there.
        if not delegator_holds(d.delegator, d.role, d.organisation, d.include_subtree, day):
            continue
        for scope in ROLE_SCOPES.get(d.role, ()):
            result.append(
                Grant(
                    scope,
                    d.organisation_id,
                    d.organisation.path,
                    d.include_subtree,
                    d.role,
                    delegation_id=d.pk,
                    delegator_user_id=d.delegator.user_id,
                )
            )
    return result


def delegator_holds(official, role, organisation, include_subtree, day) -> bool:
    """Does ``official`` hold ``role`` at ``organisation`` (and below, if asked) on ``day``?"""
    from egov.accounts.models import RoleAssignment

    for a in _valid(
        RoleAssignment.objects.filter(official=official, role=role), day
    ).select_related("organisation"):
        if a.organisation_id == organisation.pk and (a.include_subtree or not include_subtree):
            return True
        if a.include_subtree and organisation.path.startswith(a.organisation.path):
            return True
    return False


def is_superuser(actor) -> bool:
    actor = actor_of(actor)
    return bool(getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False))


def scopes_of(actor) -> set[str]:
    """The scopes the actor holds somewhere; ``{"*"}`` for a superuser."""
    if is_superuser(actor):
        return {"*"}
    return {g.scope for g in grants(actor)}


# --- Decisions -----------------------------------------------------------------------------


def organisation_path(obj) -> str | None:
    reg = registration(type(obj))
    if reg.organisation is None:
        return None
    org = obj if reg.organisation == "" else _resolve(obj, reg.organisation)
    return getattr(org, "path", None)


def is_placed(obj) -> bool:
    """Does the policy know where ``obj`` belongs (an organisation or an owner)?"""
    reg = registration(type(obj))
    return reg.organisation is not None or reg.owner is not None


def decide(actor, action: str, obj=None) -> Decision:
    actor = actor_of(actor)
    if is_superuser(actor):
        return Decision(True, reason="superuser")
    held = [g for g in grants(actor) if g.scope == action]
    if obj is None:
        if held:
            return Decision(True, _best(held))
        return Decision(False, reason="no scope")
    reg = registration(type(obj))
    if reg.owner and action in reg.owner_scopes and getattr(actor, "pk", None):
        owner = _resolve(obj, reg.owner)
        if owner is not None and getattr(owner, "pk", owner) == actor.pk:
            return Decision(True, reason="owner")
    path = organisation_path(obj)
    if path:
        covering = [g for g in held if g.covers(path)]
        if covering:
            return Decision(True, _best(covering))
    return Decision(False, reason="not in your organisations")


def _best(candidates: list[Grant]) -> Grant:
    # Prefer one's own role over a delegated one: an act is "delegated" only when it must be.
    return sorted(candidates, key=lambda g: g.delegation_id is not None)[0]


def can(actor, action: str, obj=None) -> bool:
    return decide(actor, action, obj).allowed


def check(actor, action: str, obj=None) -> Decision:
    decision = decide(actor, action, obj)
    if not decision.allowed:
        raise PermissionDenied(_("You may not do this."))
    return decision


def scope_queryset(actor, action: str, queryset):
    """Only the rows ``actor`` may ``action``: filter every list by this, then 404 the rest."""
    actor = actor_of(actor)
    if is_superuser(actor):
        return queryset
    reg = registration(queryset.model)
    condition = Q(pk__in=[])
    if reg.organisation is not None:
        prefix = f"{reg.organisation}__" if reg.organisation else ""
        for g in grants(actor):
            if g.scope != action:
                continue
            if g.include_subtree:
                condition |= Q(**{f"{prefix}path__startswith": g.path})
            else:
                condition |= Q(**{f"{prefix}path": g.path})
    is_person = getattr(actor, "is_authenticated", False) and not getattr(actor, "is_client", False)
    if reg.owner and action in reg.owner_scopes and is_person and getattr(actor, "pk", None):
        condition |= Q(**{reg.owner: actor.pk})
    return queryset.filter(condition)


def visible_with_history(actor, action: str, model, history, fk: str, queryset=None):
    """Rows of ``model`` that ``actor`` may ``action``: where it holds the scope now, and where
    it held them before passing them on. ``history`` is the model of the hand-over rows
    (registered at the organisation that passed the object on), ``fk`` their column naming the
    object (a dossier's transfers, a petition's hand-offs)."""
    queryset = model.objects.all() if queryset is None else queryset
    if is_superuser(actor):
        return queryset
    own = scope_queryset(actor, action, model.objects.all()).values("pk")
    passed_on = scope_queryset(actor, action, history.objects.all()).values(fk)
    return queryset.filter(Q(pk__in=own) | Q(pk__in=passed_on))


def can_with_history(actor, action: str, obj, history_rows) -> bool:
    """The object check matching :func:`visible_with_history`: ``history_rows`` are the
    object's hand-over rows."""
    if can(actor, action, obj):
        return True
    return any(can(actor, action, row) for row in history_rows)


def audit(actor, action: str, obj, decision: Decision | None = None, summary=None, **kwargs):
    """Record an act in the audit log; an act under delegation says whose role it used."""
    from egov.core.services import audit as audit_log

    return audit_log.record(**audit_rows(actor, action, obj, decision, summary, **kwargs))


def audit_rows(actor, action: str, obj, decision: Decision | None = None, summary=None, **kwargs):
    """One row for ``egov.core.services.audit.record_many``, as :func:`audit` would write it."""
    details = dict(summary or {})
    if decision is not None:
        details.update(decision.audit_summary())
    return {"actor": actor_of(actor), "action": action, "obj": obj, "summary": details, **kwargs}
