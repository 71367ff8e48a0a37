"""Version counters and a per-process memo for what the command centre shows beside the
reported figures: egov's own counts of the built-in indicators (builtin.py) and the other apps'
tiles (egov.core.registry.command_tile).

The reported figures need none of this: they are read on every request and the rendered tables
are keyed by a digest of them (dashboard_views._sections_html). egov's own counts and the tiles
are queries over other apps' tables (a dossier count, the tasks' aggregate: ~11 ms of a ~45 ms
national dashboard on the full bench database, issue 18 §7); they are remembered in this
process under a key that holds a version counter of what they read, so a change shows on the
next page load:

- ``own``: the dossiers, payments and the organisation tree (the built-in indicators' counts);
- ``tiles``: an audited change in an app a registered tile reads (``CommandTile.reads``: the
  tasks' tile reads the tasks and the reader's roles); any app's if a tile declares none.

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
OWN, TILES = "own", "tiles"
NAMES = (OWN, TILES)
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


def remembered(request, name: str, key: tuple, compute: Callable):
    """``compute()``, remembered in this process under ``key`` and counter ``name``."""
    full = (name, versions(request)[name], *key)
    value = memo.get(full)
    if value is None:
        value = compute()
        memo.put(full, value)
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
    nothing but its audit row; the reported figures (``reporting.*``) are read live."""
    names = set()
    tile_apps = _tile_apps()
    for entry in entries:
        app = entry.action.split(".")[0]
        if app == "reporting" or entry.action.endswith("_refused"):
            continue
        if tile_apps is None or app in tile_apps:
            names.add(TILES)
        if app in OWN_APPS:
            names.add(OWN)
    return names


@receiver(audit_recorded, dispatch_uid="reporting.freshness.audit")
def _on_audit(sender, entries, **kwargs) -> None:
    names = moved(entries)
    if names:
        transaction.on_commit(lambda: bump(names))
