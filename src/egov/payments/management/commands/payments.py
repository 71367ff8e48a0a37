"""``egov payments reconcile [--every SECONDS] [--after MINUTES]``: query pending payments."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from egov.payments.gateways.available import all_gateways
from egov.payments.services.reconciliation import reconcile


class Command(BaseCommand):
    help = "Payments: 'egov payments reconcile' queries the gateways about pending payments."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("reconcile", help="Query payments pending for more than --after.")
        run.add_argument("--every", type=float, default=0, help="Repeat every SECONDS.")
        run.add_argument(
            "--after",
            type=float,
            default=settings.EGOV_PAYMENTS_PENDING_MINUTES,
            help="Minutes a payment waits for its callback before it is queried.",
        )

    def handle(self, *args, action, every, after, **options):
        while True:
            counts = reconcile(all_gateways(), after=dt.timedelta(minutes=after))
            if counts["queried"] or counts["errors"] or not every:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if not every:
                return
            time.sleep(every)
