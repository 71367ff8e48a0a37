"""``egov screenshots``: regenerate docs/screenshots/ (see egov.site.screenshots).

Run as is, it works in a throw-away database (a temporary folder: SQLite, the demo data), so
that the pictures do not depend on, nor change, the database in use; ``--here`` takes them from
the configured database instead (it loads the demo data if missing and adds three dossiers).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.site import screenshots


class Command(BaseCommand):
    help = "Screenshots of the workspace, a dossier and the citizen's form at 1280 and 375 px."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
        parser.add_argument(
            "--chromium", default=os.environ.get("EGOV_CHROMIUM", "/usr/bin/chromium")
        )
        parser.add_argument(
            "--here", action="store_true", help="use the configured database, not a fresh one"
        )

    def handle(self, *args, out, chromium, here, **options):
        out = Path(out).resolve()
        if not here:
            return self._in_a_fresh_database(out, chromium)
        try:
            made = screenshots.take(out, chromium, self.stdout.write)
        except screenshots.Unavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{len(made)} screenshots in {out}")

    def _in_a_fresh_database(self, out: Path, chromium: str):
        with tempfile.TemporaryDirectory(prefix="egov-screenshots-") as tmp:
            env = {
                **os.environ,
                "EGOV_ENV": "dev",
                "EGOV_VAR_DIR": tmp,
                "DATABASE_URL": f"sqlite:///{tmp}/egov.sqlite3",
                "EGOV_PKI_DIR": str(Path(tmp) / "pki"),
            }
            argv = [sys.executable, "-m", "egov.cli", "screenshots", "--here"]
            argv += ["--out", str(out), "--chromium", chromium]
            if subprocess.run(argv, env=env, check=False).returncode:
                raise CommandError("the screenshots were not taken (see above)")
