"""``egov petitions-pull``: the national side brings the state of the petitions it forwarded to
provinces with an instance of their own (statuses, answers, publication)."""

from django.core.management.base import BaseCommand

from egov.petitions.services.peers import pull


class Command(BaseCommand):
    help = "National side: bring the state of petitions handled at provinces (run it often)."

    def handle(self, *args, **options):
        counts = pull()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
