import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from egov.core.services import orphans


class Command(BaseCommand):
    help = (
        "Media files. 'sweep' removes the files no row references, older than --older-than "
        "minutes (60), in the folders the apps registered; --dry-run lists them only."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="Remove files no row references.")
        sweep.add_argument("--older-than", type=int, default=60, metavar="MINUTES")
        sweep.add_argument("--dry-run", action="store_true", help="List, remove nothing.")

    def handle(self, *args, action, older_than, dry_run, **options):
        if older_than < 1:
            # A file younger than that may belong to a transaction still running.
            raise CommandError("--older-than must be at least 1 minute.")
        result = orphans.sweep(older_than=dt.timedelta(minutes=older_than), dry_run=dry_run)
        for name in result.removed if dry_run else []:
            self.stdout.write(name)
        verb = "would be removed" if dry_run else "removed"
        self.stdout.write(
            f"{result.checked} files over {older_than} minutes old checked, "
            f"{len(result.removed)} that no row references {verb}."
        )
