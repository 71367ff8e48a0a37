"""``egov serviceindex-recompute``: recompute a frozen month (an audited act)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.serviceindex.periods import Period
from egov.serviceindex.services import snapshots


class Command(BaseCommand):
    help = "Recompute a frozen month of the service index (audited)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The frozen month, e.g. 2026-11.")
        parser.add_argument("--reason", required=True, help="Why: written to the audit log.")
        parser.add_argument("--by", default="", help="Who asks (written to the audit log).")

    def handle(self, *args, **options):
        actor = f"egov serviceindex-recompute {options['by']}".strip()
        try:
            period = Period.parse(options["month"])
            snapshot = snapshots.recompute(period, actor=actor, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{period.slug}: recomputed ({snapshot.recomputed} times so far).")
