"""``egov payments reconcile [--every SECONDS] [--after MINUTES]``: query pending payments.
``egov payments statement FILE --date YYYY-MM-DD``: check the gateway's statement (CSV)."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.payments.gateways.available import all_gateways
from egov.payments.services import statement
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

        check = sub.add_parser("statement", help="Check the gateway's statement (CSV) of a day.")
        check.add_argument("file", help="The statement, a CSV file.")
        check.add_argument("--date", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, action, **options):
        if action == "statement":
            return self._statement(options["file"], options["date"])
        every, after = options["every"], options["after"]
        while True:
            counts = reconcile(all_gateways(), after=dt.timedelta(minutes=after))
            if counts["queried"] or counts["errors"] or not every:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if not every:
                return
            time.sleep(every)

    def _statement(self, path, day):
        try:
            with open(path, "rb") as f:
                data = f.read(statement.MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(str(exc)) from None
        try:
            check = statement.check_statement(data, day=day, filename=path)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for m in check.mismatches:
            amounts = f"{m.gateway_amount_vnd or ''}/{m.our_amount_vnd or ''}"
            where = f"line={m.line} " if m.line else ""
            self.stdout.write(f"{m.kind} {where}{m.reference} {amounts} {m.note}".rstrip())
        counts = " ".join(f"{k}={v}" for k, v in check.counts().items())
        self.stdout.write(f"rows={check.rows} matched={check.matched} {counts}")
        if check.mismatches:
            raise SystemExit(1)
