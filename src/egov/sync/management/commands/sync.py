"""``egov sync reconcile [--days N] [--date D] [--requeue]`` and ``egov sync check-catalogue``."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from egov.sync.services import catalogue, client, reconcile


class Command(BaseCommand):
    help = "Status sync with the national portal: reconcile per-day counts; check the catalogue."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="Compare per-day counts with the national side.")
        rec.add_argument("--days", type=int, default=1, help="Days back from yesterday (1).")
        rec.add_argument("--date", help="One day, YYYY-MM-DD (instead of --days).")
        rec.add_argument("--requeue", action="store_true", help="Queue the missing ones again.")
        sub.add_parser("check-catalogue", help="Procedures with dossiers and no national code.")

    def handle(self, *args, action, **options):
        if action == "check-catalogue":
            rows = catalogue.unsynced_procedures()
            for row in rows:
                self.stdout.write(f"{row['code']}\t{row['dossiers']}\t{row['name'][:80]}")
            self.stdout.write(json.dumps({"unsynced_procedures": len(rows)}))
            return
        if settings.EGOV_SYNC_ROLE != "provincial":
            raise CommandError("Reconciliation runs on a provincial site (EGOV_SYNC_ROLE).")
        if options["date"]:
            try:
                days = [dt.date.fromisoformat(options["date"])]
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD.") from None
        else:
            if options["days"] < 1:
                raise CommandError("--days must be 1 or more.")
            yesterday = timezone.localdate() - dt.timedelta(days=1)
            days = [yesterday - dt.timedelta(days=n) for n in range(options["days"])]
        missing = 0
        for day in days:
            try:
                found = reconcile.reconcile(day, requeue=options["requeue"])
            except (client.NationalError, OSError) as error:
                raise CommandError(f"The national side did not answer for {day}: {error}") from None
            missing += len(found.missing)
            self.stdout.write(
                f"{day}: here {found.here}, national {found.there}, missing {len(found.missing)}"
                + (f" ({', '.join(found.missing[:20])})" if found.missing else "")
            )
        self.stdout.write(json.dumps({"days": len(days), "missing": missing}))
