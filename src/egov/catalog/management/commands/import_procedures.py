import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.catalog.services import formats
from egov.catalog.services.importing import import_file


class ProgressBar:
    """A plain text bar on stderr, redrawn at most once per percent."""

    def __init__(self, stream=None, width: int = 40) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent == self.last and done != total:
            return
        self.last = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {percent:3d}%")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import administrative procedures from procedures.json, catalogue-index.jsonl or the "
        "national portal's JSON layout (MATTHC, TENTTHC ...). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=formats.FORMATS, help="default: from the file")
        parser.add_argument(
            "--effective-from",
            type=dt.date.fromisoformat,
            help="effective date of new versions (default today)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        progress = None if options["no_progress"] else ProgressBar(self.stderr._out)
        try:
            report = import_file(
                path,
                options["format"],
                effective_from=options["effective_from"],
                actor="command:import-procedures",
                progress=progress,
            )
        except ValueError as exc:  # not JSON at all
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(
            f"{path.name}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.rejected)} rejected "
            f"({report.seconds:.1f} s)"
        )
        for rejection in report.rejected:
            self.stdout.write(f"  rejected {rejection}")
