"""``egov bench NAME [--quick]``: run a benchmark scenario from the repository's bench/ directory.

A scenario is ``bench/<NAME>.py`` with ``main(quick: bool) -> dict``. Its progress goes to stderr;
the last line on stdout is its figures, one JSON object. bench/ is not part of the installed
package: it is found next to src/ (an editable install of a checkout), else in the current
directory.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

import egov

NOT_SCENARIOS = {"__init__", "harness"}


def bench_dir() -> Path | None:
    for candidate in (Path(egov.__file__).resolve().parents[2] / "bench", Path.cwd() / "bench"):
        if (candidate / "harness.py").is_file():
            return candidate
    return None


def scenarios(directory: Path) -> list[str]:
    return sorted(
        path.stem
        for path in directory.glob("*.py")
        if path.stem not in NOT_SCENARIOS and not path.stem.startswith("_")
    )


class Command(BaseCommand):
    help = "Run a benchmark scenario (bench/NAME.py); the last output line is its figures as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("name", help="Scenario: the name of a module in bench/.")
        parser.add_argument(
            "--quick", action="store_true", help="Short warm-up and duration (a smoke run)."
        )

    def handle(self, *args, name, quick, **options):
        directory = bench_dir()
        if directory is None:
            raise CommandError(
                "No bench/ directory found: run from a checkout of the egov repository "
                "(pip install -e .) or from its top directory."
            )
        available = scenarios(directory)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name not in available:
            raise CommandError(
                f"Unknown scenario {name!r}; available: {', '.join(available) or 'none'}."
            )
        root = str(directory.parent)
        if root not in sys.path:
            # Also passed on to the load generator's spawned processes.
            sys.path.insert(0, root)
        module = importlib.import_module(f"bench.{name}")
        if not callable(getattr(module, "main", None)):
            raise CommandError(f"bench/{name}.py has no main(quick) function.")
        started = time.monotonic()
        try:
            figures = module.main(quick)
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted (the server, if it had started, was stopped)."
            ) from None
        except Exception as exc:
            from bench.harness import BenchError

            if isinstance(exc, BenchError):
                raise CommandError(f"Scenario {name} failed: {exc}") from exc
            raise
        self.stderr.write(f"[bench] {name} took {time.monotonic() - started:.1f} s")
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
