from django.core.management.base import BaseCommand

from egov.cabinet.services import ballots


class Command(BaseCommand):
    help = "Establish the result of ballots past their deadline (run it often)."

    def handle(self, *args, **options):
        done = ballots.close_due()
        self.stdout.write(f"{done} ballot(s) decided.")
