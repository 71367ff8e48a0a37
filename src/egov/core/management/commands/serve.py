"""``egov serve``: everything the platform needs, in one process group.

It migrates, makes the PKI on first start (development), then runs the task worker and the web
server (gunicorn, several processes) side by side, and stops both when either stops or on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the platform: migrate, first-start setup, task worker and web server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("EGOV_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("EGOV_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("EGOV_WEB_WORKERS", "3")),
            help="Web server processes.",
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
        self._first_start()
        children: list[subprocess.Popen] = []
        egov = [sys.executable, "-m", "egov.cli"]
        provider = self._oidc_provider(host, port)
        children += provider
        if not no_worker:
            children.append(subprocess.Popen([*egov, "worker", "--verbosity", "0"]))
            if settings.EGOV_EXCHANGE_ROLE == "provincial":  # statuses and packages from the parent
                every = str(settings.EGOV_EXCHANGE_PULL_SECONDS)
                children.append(
                    subprocess.Popen([*egov, "exchange", "pull-parent", "--every", every])
                )
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
        if provider:
            from egov.accounts.oidc import bundled

            self.stdout.write("\n".join(["Demo logins:", *bundled.demo_logins(host, port)]))
        self._supervise(children)

    def _oidc_provider(self, host: str, port: int) -> list[subprocess.Popen]:
        """The bundled development OpenID provider (citizen login), on loopback."""
        if settings.EGOV_OIDC_PROVIDER != "bundled":
            return []
        from egov.accounts.oidc import bundled

        try:
            argv, env, cwd = bundled.command(host, port)
        except bundled.NotAvailable as exc:
            self.stderr.write(f"OpenID provider not started: {exc}")
            return []
        return [subprocess.Popen(argv, env=env, cwd=cwd)]

    def _first_start(self) -> None:
        from egov.core.signing import pki

        if settings.EGOV_PKI_AUTO_CREATE:
            report = pki.ensure_pki()
            self.stdout.write(
                f"Signing certificates in {report.directory}: {len(report.created)} created, "
                f"{report.existing} present, {report.deferred} made on first signing."
            )

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
