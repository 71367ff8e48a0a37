"""``egov assignments-remind``: queue reminders of assigned tasks (outbox)."""

from django.core.management.base import BaseCommand

from egov.assignments.services.reminders import remind


class Command(BaseCommand):
    help = "Queue reminders of tasks due in 5 and 1 working days or overdue (run it daily)."

    def handle(self, *args, **options):
        count = remind()
        self.stdout.write(f"{count} reminders of assigned tasks queued.")
