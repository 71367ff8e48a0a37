"""Version counters and a per-process memo for the command centre: the reported figures
(dashboards, drill-downs), egov's own counts of the built-in indicators (builtin.py) and the
other apps' tiles (egov.core.registry.command_tile).

What a page shows is remembered in this process under a key that holds the version counters of
what it read, so a change shows on the next page load, and an unchanged page reads none of the
aggregates (a national dashboard read ~2,400 aggregate rows and took ~45 ms of CPU on every load
to find it had not changed; the server did ~27 pages/s on 2 cores, issue 18 §7):

- ``figures``: any audited act of this app (approval, un-approval, acceptance, exemption,
  revision, submission, signature, a target, an indicator or a regime changed): the aggregates,
  the approvals, the targets and the reports the dashboards and drill-downs show;
- ``own``: the dossiers, payments and the organisation tree (the built-in indicators' counts,
  and the organisations' names every page shows);
- ``tiles``: an audited change in an app a registered tile reads (``CommandTile.reads``: the
  tasks' tile reads the tasks and the reader's roles); any app's if a tile declares none.

The scope is never remembered: every request checks the reader's right to the node, and the
parts one level down are filtered for the reader after the memo (dashboard_views).

The counters are core's (egov.core.generations, as the service index's and the consultation's):
bumped after the commit of any audited change (core's ``audit_recorded``), a fresh value set and
never an increment, kept in the shared cache (so every process sees a bump). A write that
bypasses the services (a bulk load: no audit row) shows after ``BACKSTOP_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from egov.core import generations, registry
from egov.core.memo import Memo
from egov.core.signals import audit_recorded

PREFIX = "reporting:v:"
FIGURES, OWN, TILES = "figures", "own", "tiles"
NAMES = (FIGURES, OWN, TILES)
# The apps whose audited changes move egov's own counts (builtin.py counts dossiers and
# payments over the organisations' subtrees).
OWN_APPS = frozenset({"dossiers", "payments", "organisation"})
# A remembered value is dropped after this long even if no counter moved.
BACKSTOP_SECONDS = 300


memo = Memo(256, BACKSTOP_SECONDS)


def versions(request=None) -> dict[str, int]:
    """Every counter: one cache read, kept on ``request`` for the rest of the request."""
    kept = getattr(request, "_reporting_versions", None)
    if kept is not None:
        return kept
    found = generations.read(PREFIX + name for name in NAMES)
    values = {name: found[PREFIX + name] for name in NAMES}
    if isinstance(request, HttpRequest):  # not a user: it outlives the request
        request._reporting_versions = values
    return values


def stamp(request, *names: str) -> tuple:
    """The counters ``names`` as part of a key: read before what the key's value is made from
    (a bump after a commit then makes a new key, never an old value under a new one)."""
    found = versions(request)
    return tuple((name, found[name]) for name in names)


def remembered(request, name: str, key: tuple, compute: Callable, store: Memo | None = None):
    """``compute()``, remembered in this process (``store``: another bounded memo, for large
    values) under ``key`` and counter ``name``."""
    store = memo if store is None else store
    full = (*stamp(request, name), *key)
    value = store.get(full)
    if value is None:
        value = compute()
        store.put(full, value)
    return value


def bump(names) -> None:
    generations.bump(PREFIX + name for name in names)


def _tile_apps() -> frozenset[str] | None:
    """The apps the registered tiles read (CommandTile.reads); None: some tile reads any."""
    apps: set[str] = set()
    for tile in registry.command_tiles():
        if not tile.reads:
            return None
        apps |= tile.reads
    return frozenset(apps)


def moved(entries) -> set[str]:
    """The counters the audit rows ``entries`` move. A refused act (``*_refused``) changed
    nothing but its audit row. Every other act of this app moves ``figures``: an act that
    changes nothing shown costs one rebuild, a missed one would show a stale page."""
    names = set()
    tile_apps = _tile_apps()
    for entry in entries:
        app = entry.action.split(".")[0]
        if entry.action.endswith("_refused"):
            continue
        if app == "reporting":
            names.add(FIGURES)
            continue
        if tile_apps is None or app in tile_apps:
            names.add(TILES)
        if app in OWN_APPS:
            names.add(OWN)
    return names


def _after_commit(function) -> None:
    # Its own name so that a test in one transaction (which never commits) can run the bump at
    # once, as the commit of each service call would (tests/reporting/conftest.py).
    transaction.on_commit(function)


@receiver(audit_recorded, dispatch_uid="reporting.freshness.audit")
def _on_audit(sender, entries, **kwargs) -> None:
    names = moved(entries)
    if names:
        _after_commit(lambda: bump(names))
