"""``egov serve``: everything the platform needs, in one process group.

It migrates, runs the apps' first-start setup (the PKI in development), then runs the apps'
background processes (the task worker, the development OpenID provider, ...: see
egov.core.registry) and the web server (gunicorn, several processes) side by side, and stops them
all when an essential one stops or on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from egov.core import registry
from egov.core.progress import Progress
from egov.site.management.commands.load_demo import load_demo

# gthread, not sync: a sync worker serves one connection from accept to close, so a browser's
# idle keep-alive or preconnect socket held it until gunicorn's timeout killed it (WORKER TIMEOUT,
# SIGKILL: issue 13). A gthread worker parks idle connections in a poller and closes them after
# KEEP_ALIVE seconds. `egov bench` keeps sync workers: measured, bench/README.md.
WORKER_CLASSES = ("gthread", "sync")
KEEP_ALIVE = 5  # seconds; browsers reuse a connection for the page's assets and the next click


@dataclass
class _Child:
    popen: subprocess.Popen
    process: registry.Process | None  # None: the web server
    launch: registry.Launch | None = None
    started: float = field(default_factory=time.monotonic)
    ready: bool = False  # it listens where its ``listens`` says (or it says nothing)
    restarted: bool = False

    @property
    def name(self) -> str:
        return self.process.name if self.process else "web server"


def _listening(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=0.2):
            return True
    except OSError:
        return False


def gunicorn_command(
    host: str,
    port: int,
    *,
    workers: int,
    worker_class: str = "gthread",
    threads: int = 4,
    access_log: str = "/dev/null",
    timeout: int = 30,
) -> list[str]:
    """The web server's command line (also started by the tests that check idle connections)."""
    command = [sys.executable, "-m", "gunicorn", "egov.wsgi:application"]
    command += ["--bind", f"{host}:{port}", "--workers", str(workers)]
    command += ["--worker-class", worker_class, "--timeout", str(timeout)]
    if worker_class == "gthread":
        command += ["--threads", str(threads), "--keep-alive", str(KEEP_ALIVE)]
    return [*command, "--access-logfile", access_log, "--graceful-timeout", "10"]


class _Migrate(migrate.Command):
    """Django's migrate with a count instead of a line per migration."""

    progress: Progress | None = None

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action == "apply_success" and self.progress is not None:
            self.progress.advance()


def migrate_with_progress(write) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    command = _Migrate()
    if plan:
        # The first start creates the database: ~100 migrations, several seconds.
        with Progress(write, "Database, migrations", len(plan)) as command.progress:
            call_command(command, interactive=False, verbosity=0)
    else:
        call_command(command, interactive=False, verbosity=0)


class Command(BaseCommand):
    help = "Run the platform: migrate, first-start setup, task worker and web server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.EGOV_HOST)
        parser.add_argument("--port", type=int, default=settings.EGOV_PORT)
        parser.add_argument(
            "--workers", type=int, default=settings.EGOV_WEB_WORKERS, help="Web server processes."
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.EGOV_WEB_THREADS,
            help="Threads per web server process (gthread workers).",
        )
        parser.add_argument(
            "--worker-class",
            choices=WORKER_CLASSES,
            default="gthread",
            help="gunicorn's worker class: gthread copes with browsers' idle connections; sync "
            "serves one connection at a time and closes it (what the benchmarks use).",
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start a task worker.")
        parser.add_argument("--no-migrate", action="store_true", help="Skip the migration step.")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Load the demo data before starting (what ./scripts/serve does).",
        )

    def handle(self, *args, host, port, workers, no_worker, no_migrate, **options):
        if settings.EGOV_CACHE == "locmem" and workers > 1:
            # Each process would count rate limits and remember used client assertions on its
            # own: 3 workers let 3 times the lookups through and accept an assertion 3 times.
            raise CommandError(
                f"EGOV_CACHE=locmem is per process and {workers} web processes would each keep "
                "their own rate limits and replay checks: use EGOV_CACHE=db or a redis:// URL, "
                "or --workers 1."
            )
        if not no_migrate:
            migrate_with_progress(self.stdout.write)
        if options.get("demo"):
            load_demo(self.stdout.write)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        for step in registry.first_start_steps():
            step.run(self.stdout.write)
        launches: list[tuple[registry.Process, registry.Launch]] = []
        exported: dict[str, str] = {}  # e.g. the OpenID provider's issuer, if it moved
        for process in registry.processes():
            if process.worker and no_worker:
                continue
            launch = self._launch(process, host, port)
            if launch is not None:
                launches.append((process, launch))
                exported.update(process.exports(launch) if process.exports else {})
        children: list[_Child] = []
        banners: list[str] = []
        for process, launch in launches:
            children.append(_Child(self._popen(*launch, exported), process, launch))
            banners += process.banner(host, port, launch) if process.banner else []
        gunicorn = gunicorn_command(
            host,
            port,
            workers=workers,
            worker_class=options.get("worker_class", "gthread"),
            threads=options.get("threads") or settings.EGOV_WEB_THREADS,
            access_log="-" if settings.DEBUG else "/dev/null",
        )
        children.append(_Child(self._popen(gunicorn, None, None, exported), None))
        self._exported = exported
        self.stdout.write(f"egov is serving on http://{host}:{port}/ (Ctrl-C stops it)")
        if banners:
            self.stdout.write("\n".join(banners))
        self._supervise(children)

    def _launch(self, process: registry.Process, host: str, port: int) -> registry.Launch | None:
        try:
            return process.command(host, port)
        except registry.NotStarted as exc:
            self.stderr.write(f"{process.name} not started: {exc}")
            return None

    def _start(self, process: registry.Process, host: str, port: int) -> subprocess.Popen | None:
        launch = self._launch(process, host, port)
        return None if launch is None else self._popen(*launch, {})

    @staticmethod
    def _popen(argv, env, cwd, exported: dict[str, str]) -> subprocess.Popen:
        if exported:  # what a process told the others (serve knows it before starting any)
            env = {**(os.environ if env is None else env), **exported}
        return subprocess.Popen(argv, env=env, cwd=cwd)

    def _watch_start(self, child: _Child) -> None:
        """Restart once a process that does not listen within READY_SECONDS of its start."""
        if child.ready or child.process is None or child.process.listens is None:
            child.ready = True
            return
        if _listening(child.process.listens(child.launch)):
            child.ready = True
            return
        if time.monotonic() - child.started < registry.READY_SECONDS:
            return
        child.popen.kill()
        child.popen.wait()
        if child.restarted:
            return  # reported as stopped by the supervisor's next pass
        self.stderr.write(
            f"{child.name} did not start listening within {registry.READY_SECONDS} s: "
            "starting it again."
        )
        child.popen = self._popen(*child.launch, getattr(self, "_exported", {}))
        child.started = time.monotonic()
        child.restarted = True

    def _supervise(self, children: list[_Child]) -> None:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        running = list(children)
        while not stopping:
            for child in list(running):
                if child.popen.poll() is None:
                    self._watch_start(child)
                    continue
                running.remove(child)
                code = child.popen.returncode
                if child.process is not None and not child.process.essential:
                    self.stderr.write(f"{child.name} stopped (exit code {code}); the rest goes on.")
                    continue
                self.stderr.write(f"{child.name} stopped with exit code {code}")
                exit_code = code or 1
                stopping = True
            time.sleep(0.5)
        for child in children:
            if child.popen.poll() is None:
                child.popen.terminate()
        for child in children:
            try:
                child.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.popen.kill()
        if exit_code:
            sys.exit(exit_code)
