"""Version counters and a per-process memo for what the command centre shows beside the
reported figures: egov's own counts of the built-in indicators (builtin.py) and the other apps'
tiles (egov.core.registry.command_tile).

The reported figures need none of this: they are read on every request and the rendered tables
are keyed by a digest of them (dashboard_views._sections_html). egov's own counts and the tiles
are queries over other apps' tables (a dossier count, the tasks' aggregate: ~11 ms of a ~45 ms
national dashboard on the full bench database, issue 18 §7); they are remembered in this
process under a key that holds a version counter of what they read, so a change shows on the
next page load:

- ``own``: an audited change in an app a built-in indicator reads (``builtin.Builtin.reads``:
  the dossiers, payments and the organisation tree);
- ``tiles``: an audited change in an app a registered tile reads (``CommandTile.reads``: the
  tasks' tile reads the tasks and the reader's roles); any app's if a tile declares none.

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
OWN, TILES = "own", "tiles"
NAMES = (OWN, TILES)
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


def remembered(request, name: str, key: tuple, compute: Callable):
    """``compute()``, remembered in this process under ``key`` and counter ``name``."""
    full = (name, versions(request)[name], *key)
    value = memo.get(full)
    if value is None:
        value = compute()
        memo.put(full, value)
    return value


def _tiles(entry) -> set[str]:
    """TILES when the act is of an app a registered tile reads (CommandTile.reads; any app
    when some tile declares none), read at each change: tiles register from other apps."""
    apps: set[str] = set()
    for tile in registry.command_tiles():
        if not tile.reads:
            return {TILES}
        apps |= tile.reads
    return {TILES} if entry.action.split(".")[0] in apps else set()


# The reported figures (``reporting.*``) are read live; a refused act (``*_refused``) changed
# nothing but its audit row.
COUNTERS = generations.Counters(
    PREFIX,
    {**{f"{app}.*": OWN for app in sorted(OWN_APPS)}, "*": _tiles},
    unread=("reporting.*", "*_refused"),
)
