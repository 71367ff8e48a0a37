"""``egov serve``: everything the platform needs, in one process group.

It migrates, runs the apps' first-start setup (the PKI in development), then runs the apps'
background processes (the task worker, the development OpenID provider, ...: see
egov.core.registry) and the web server (gunicorn, several processes) side by side, and stops them
all when one stops or on Ctrl-C.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from egov.core import registry


class Command(BaseCommand):
    help = "Run the platform: migrate, first-start setup, task worker and web server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.EGOV_HOST)
        parser.add_argument("--port", type=int, default=settings.EGOV_PORT)
        parser.add_argument(
            "--workers", type=int, default=settings.EGOV_WEB_WORKERS, help="Web server processes."
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start a task worker.")
        parser.add_argument("--no-migrate", action="store_true", help="Skip the migration step.")

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
            call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        for step in registry.first_start_steps():
            step.run(self.stdout.write)
        children: list[subprocess.Popen] = []
        banners: list[str] = []
        for process in registry.processes():
            if process.worker and no_worker:
                continue
            child = self._start(process, host, port)
            if child is not None:
                children.append(child)
                banners += process.banner(host, port) if process.banner else []
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "egov.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-" if settings.DEBUG else "/dev/null",
            "--graceful-timeout",
            "10",
        ]
        children.append(subprocess.Popen(gunicorn))
        self.stdout.write(f"egov is serving on http://{host}:{port}/ (Ctrl-C stops it)")
        if banners:
            self.stdout.write("\n".join(banners))
        self._supervise(children)

    def _start(self, process: registry.Process, host: str, port: int) -> subprocess.Popen | None:
        try:
            launch = process.command(host, port)
        except registry.NotStarted as exc:
            self.stderr.write(f"{process.name} not started: {exc}")
            return None
        if launch is None:
            return None
        argv, env, cwd = launch
        return subprocess.Popen(argv, env=env, cwd=cwd)

    def _supervise(self, children: list[subprocess.Popen]) -> None:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    self.stderr.write(
                        f"{child.args[2:4]} stopped with exit code {child.returncode}"
                    )
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            sys.exit(exit_code)
