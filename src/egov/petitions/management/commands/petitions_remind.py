"""``egov petitions-remind``: queue reminders of petitions at risk or overdue (outbox)."""

from django.core.management.base import BaseCommand

from egov.petitions.services.reminders import remind


class Command(BaseCommand):
    help = "Queue reminders of petitions at risk or overdue (run it hourly)."

    def handle(self, *args, **options):
        count = remind()
        self.stdout.write(f"{count} petitions at risk or overdue: reminders queued.")
