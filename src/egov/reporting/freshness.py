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
- ``own``: an audited change in an app a built-in indicator reads (``builtin.Builtin.reads``:
  the dossiers, payments and the organisation tree, whose names every page shows too);
- ``tiles``: an audited change in an app a registered tile reads (``CommandTile.reads``: the
  tasks' tile reads the tasks and the reader's roles); any app's if a tile declares none.

The scope is never remembered: every request checks the reader's right to the node, and the
parts one level down are filtered for the reader after the memo (dashboard_views).

The counters are core's (egov.core.generations, as the service index's and the consultation's):
core bumps them after the commit of an audited change as ``COUNTERS`` says (registered in
ReportingConfig.ready), a fresh value set and never an increment, kept in the shared cache (so
every process sees a bump). A write that bypasses the services (a bulk load: no audit row)
shows after ``BACKSTOP_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from egov.core import generations, registry
from egov.core.memo import Memo

from . import builtin

PREFIX = "reporting:v:"
FIGURES, OWN, TILES = "figures", "own", "tiles"
NAMES = (FIGURES, OWN, TILES)
# The apps whose audited changes move egov's own counts: what the built-in indicators read.
OWN_APPS = frozenset().union(*(indicator.reads for indicator in builtin.REGISTRY.values()))
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


def _tiles(entry) -> set[str]:
    """TILES when the act is of an app a registered tile reads (CommandTile.reads; any app
    when some tile declares none), read at each change: tiles register from other apps."""
    if entry.action.startswith("reporting."):  # the figures: ``figures`` covers them
        return set()
    apps: set[str] = set()
    for tile in registry.command_tiles():
        if not tile.reads:
            return {TILES}
        apps |= tile.reads
    return {TILES} if entry.action.split(".")[0] in apps else set()


# Every act of this app moves ``figures`` (an act that changes nothing shown costs one
# rebuild, a missed one would show a stale page); a refused act (``*_refused``) changed nothing
# but its audit row.
COUNTERS = generations.Counters(
    PREFIX,
    {"reporting.*": FIGURES, **{f"{app}.*": OWN for app in sorted(OWN_APPS)}, "*": _tiles},
    unread=("*_refused",),
)


def bump(names) -> None:
    """Move ``names`` now (a write with no audit row: generate.py's bulk load, after its
    commit)."""
    COUNTERS.bump(names)
