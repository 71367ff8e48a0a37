"""``egov serviceindex-freeze``: freeze the closed months of the service index."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.serviceindex.periods import Period
from egov.serviceindex.services import snapshots


class Command(BaseCommand):
    help = "Freeze the closed months of the service index (run it monthly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", action="append", help="A month to freeze, e.g. 2026-11 (repeatable)."
        )

    def handle(self, *args, **options):
        try:
            if options["month"]:
                months = [Period.parse(text) for text in options["month"]]
            else:
                current = Period.current_month()
                previous = current.first_day - dt.timedelta(days=1)
                months = [Period.month_of(previous)]
            for period in months:
                snapshot, made = snapshots.freeze(period, actor="egov serviceindex-freeze")
                word = "frozen" if made else "already frozen"
                self.stdout.write(f"{period.slug}: {word} (version {snapshot.version.code}).")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
