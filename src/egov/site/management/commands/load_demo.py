"""``egov load-demo``: every app's demo step (egov.core.registry.demo_step), in their order."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.core import registry


class Command(BaseCommand):
    help = "Load the demo data: the government tree (central bodies, 34 provinces, 3,321 communes)."

    def handle(self, *args, **options):
        for step in registry.demo_steps():
            try:
                step.load(self.stdout.write)
            except ValidationError as exc:
                raise CommandError("Demo data refused: " + "; ".join(exc.messages)) from exc
