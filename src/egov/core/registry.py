"""What the apps register into core, so that neither core nor the wiring keeps a list of apps.

Core is the bottom layer and imports no other egov app; the wiring app (egov.site) on top runs
what the apps registered here. Each app registers from its ``AppConfig.ready()``:

- :func:`demo_step`: its part of ``egov load-demo``, run in ``order`` (the government tree 10,
  the catalogue 20, the demo logins 90);
- :func:`first_start`: setup ``egov serve`` does before it starts anything (the PKI);
- :func:`process`: a background process ``egov serve`` starts beside the web server (the task
  worker, the development OpenID provider, the parent-hub pull);
- :func:`swept_files`: a folder of the media storage whose files all belong to rows (file
  fields): a file no row references there after an hour is swept (egov.core.services.orphans);
- :func:`nav_link`: a link of the officials' navigation in the page header, shown to those who
  hold one of its scopes (egov.accounts.frame decides);
- :func:`official_fact`: a fact about the logged-in official read with their row, once per
  request (egov.accounts.current): a subquery over the official's row, for an app whose roles
  are its own tables (whether they take part in the e-Cabinet, for its navigation link);
- :func:`workspace_panel`: a panel of the official's workspace (the page they land on after
  login): its counts per queue and the items needing attention (egov.accounts.workspace);
- :func:`dossier_link`: a link on the officials' dossier page to a page of an app above the
  one-stop shop (the payments' fees page), shown when the app says this official may use it;
- :func:`command_tile`: a tile of the command centre's dashboards (egov.reporting places them):
  an app's current figures beside the reported indicators (the tasks the Government assigns);
- :func:`periodic`: a job the long-running task worker runs now and then every ``seconds``
  (closing ballots past their deadline, queueing reminders); it must be safe to run twice and
  in several workers at once (the outbox's keys make a reminder once).

Registering twice under the same name replaces the first (``ready()`` may run again in tests).
The CLI's command list is not here: it is each AppConfig's ``commands`` (see egov.cli), read
without setting Django up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Write = Callable[[str], None]
# argv, environment (None: this process's) and working directory (None: this one's).
Launch = tuple[list[str], dict[str, str] | None, Path | None]


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    load: Callable[[Write], None]  # may raise django's ValidationError: the data was refused


@dataclass(frozen=True)
class FirstStart:
    name: str
    run: Callable[[Write], None]


class NotStarted(RuntimeError):
    """A process cannot start here (say why); ``egov serve`` says so and goes on without it."""


@dataclass(frozen=True)
class Process:
    name: str  # in messages: "OpenID provider not started: ..."
    # What to run for a server on (host, port); None when the settings say not to run it.
    command: Callable[[str, int], Launch | None]
    # A background worker: `egov serve --no-worker` leaves it out.
    worker: bool = False
    # Lines printed after "egov is serving on ...", once the process has started with that launch.
    banner: Callable[[str, int, Launch], list[str]] | None = None
    # Environment variables the processes started after it (the web server too) get from what it
    # was launched with: the development OpenID provider's issuer, if it moved to another port.
    exports: Callable[[Launch], dict[str, str]] | None = None
    # False: when it stops, `egov serve` says so and goes on without it (citizen login in
    # development); True: everything stops with it.
    essential: bool = True
    # (host, port) it listens on once started with that launch; `egov serve` restarts it once
    # when it does not listen within ``READY_SECONDS`` (Node was seen to hang at start, silent).
    listens: Callable[[Launch], tuple[str, int]] | None = None


READY_SECONDS = 30


@dataclass(frozen=True)
class NavLink:
    name: str  # unique, e.g. "dossiers.queue"
    label: str  # lazily translated
    url_name: str  # reversed without arguments
    # Shown to an official holding any of these scopes (none: to every official).
    scopes: tuple[str, ...] = ()
    order: int = 50
    # (user) -> shown or not, for an app whose roles are its own tables (the e-Cabinet's
    # members and secretariat); one bounded query at most, as it runs on every officials' page.
    shown: Callable[[object], bool] | None = None


@dataclass(frozen=True)
class OfficialFact:
    name: str  # the attribute it becomes on the official, prefixed by the app: "cabinet_..."
    # () -> a query expression over accounts' Official, OuterRef("pk") being the official (an
    # Exists(...) for a yes or no); built per read, so that it may depend on today's date.
    build: Callable[[], object]


@dataclass(frozen=True)
class WorkspacePanel:
    name: str
    # (request) -> the panel's template context, or None when the official has nothing there
    # (no role for it). Its queries are bounded: counts and a short list, whatever the data.
    build: Callable[[object], dict | None]
    template: str
    order: int = 50


@dataclass(frozen=True)
class CommandTile:
    name: str
    # (request) -> the tile's template context, or None when the reader may not see it. Its
    # queries are bounded (a few aggregates), as the dashboard's are.
    build: Callable[[object], dict | None]
    template: str
    order: int = 50
    # The apps whose audited changes can change the tile (the first part of their audit rows'
    # actions): a dashboard that remembers tiles forgets them when one of these moves. Empty:
    # any app's.
    reads: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DossierLink:
    name: str  # unique, e.g. "payments.desk"
    label: str  # lazily translated
    url_name: str  # reversed with the dossier's code
    # (user, dossier) -> whether this official may use the page (the app's policy); it must not
    # query per link more than the page it links to would refuse with.
    allowed: Callable[[object, object], bool]
    order: int = 50


@dataclass(frozen=True)
class Periodic:
    name: str  # in the log: "periodic job cabinet-close failed"
    run: Callable[[], object]
    seconds: float


_demo_steps: dict[str, DemoStep] = {}
_first_start: dict[str, FirstStart] = {}
_processes: dict[str, Process] = {}
_swept: set[str] = set()
_nav_links: dict[str, NavLink] = {}
_panels: dict[str, WorkspacePanel] = {}
_dossier_links: dict[str, DossierLink] = {}
_tiles: dict[str, CommandTile] = {}
_periodic: dict[str, Periodic] = {}
_official_facts: dict[str, OfficialFact] = {}


def periodic(name: str, run: Callable[[], object], seconds: float) -> None:
    _periodic[name] = Periodic(name, run, seconds)


def periodic_jobs() -> list[Periodic]:
    return sorted(_periodic.values(), key=lambda job: job.name)


def nav_link(entry: NavLink) -> None:
    _nav_links[entry.name] = entry


def nav_links() -> list[NavLink]:
    return sorted(_nav_links.values(), key=lambda link: (link.order, link.name))


def official_fact(name: str, build: Callable[[], object]) -> None:
    _official_facts[name] = OfficialFact(name, build)


def official_facts() -> list[OfficialFact]:
    return sorted(_official_facts.values(), key=lambda fact: fact.name)


def workspace_panel(entry: WorkspacePanel) -> None:
    _panels[entry.name] = entry


def workspace_panels() -> list[WorkspacePanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))


def command_tile(entry: CommandTile) -> None:
    _tiles[entry.name] = entry


def command_tiles() -> list[CommandTile]:
    return sorted(_tiles.values(), key=lambda tile: (tile.order, tile.name))


def dossier_link(entry: DossierLink) -> None:
    _dossier_links[entry.name] = entry


def dossier_links() -> list[DossierLink]:
    return sorted(_dossier_links.values(), key=lambda link: (link.order, link.name))


def demo_step(order: int, name: str, load: Callable[[Write], None]) -> None:
    _demo_steps[name] = DemoStep(order, name, load)


def first_start(name: str, run: Callable[[Write], None]) -> None:
    _first_start[name] = FirstStart(name, run)


def process(entry: Process) -> None:
    _processes[entry.name] = entry


def swept_files(folder: str) -> None:
    """``folder`` (e.g. "dossiers"): every file under it is referenced by a FileField of some
    model once its transaction commits; one that is not was left by a transaction that did not."""
    _swept.add(folder.strip("/"))


def swept_folders() -> list[str]:
    return sorted(_swept)


def demo_steps() -> list[DemoStep]:
    return sorted(_demo_steps.values(), key=lambda step: (step.order, step.name))


def first_start_steps() -> list[FirstStart]:
    return list(_first_start.values())


def processes() -> list[Process]:
    return list(_processes.values())
