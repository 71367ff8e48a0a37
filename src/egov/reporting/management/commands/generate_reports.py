"""``egov generate-reports``: the command centre's bench database (egov.reporting.generate).

200 indicators x every commune (3,321 with the demo tree) x 12 monthly periods by default,
approved up the tree with their aggregates, a progress bar on stderr. Run again with the same
sizes, it reuses what is there (the regime's marker) and says so.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from egov.reporting.generate import REGIME, Plan, generate


class Command(BaseCommand):
    help = "Generate a bench regime of commune reports, approved up the tree (bulk, progress)."

    def add_arguments(self, parser):
        parser.add_argument("--indicators", type=int, default=200)
        parser.add_argument("--communes", type=int, default=0, help="0: every commune")
        parser.add_argument("--periods", type=int, default=12)
        parser.add_argument("--last", help="the last month, YYYY-MM (default: the last cut off)")
        parser.add_argument("--regime", default=REGIME)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm that this database is a bench database (made-up figures go into it)",
        )

    def handle(self, *args, indicators, communes, periods, last, regime, **options):
        # It writes made-up figures and opens the loaded indicators to the commune level: never
        # by accident in a real instance.
        if not options["yes"]:
            raise CommandError(
                "generate-reports fills this database with made-up, approved figures: run it "
                "only on a bench database, with --yes."
            )
        if indicators < 1 or periods < 1 or communes < 0:
            raise CommandError("Sizes must be positive.")
        month = None
        if last:
            try:
                year, number = (int(x) for x in last.split("-"))
            except ValueError as exc:
                raise CommandError("--last is YYYY-MM.") from exc
            month = (year, number)
        try:
            result = generate(
                Plan(
                    indicators=indicators,
                    communes=communes,
                    periods=periods,
                    last=month,
                    regime=regime,
                )
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        how = "reused" if result.reused else f"generated in {result.seconds:.1f} s"
        self.stdout.write(
            f"{result.values:,} values ({result.indicators} indicators x {result.communes:,} "
            f"communes x {len(result.periods)} periods), {how}"
        )
