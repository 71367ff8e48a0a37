"""``egov load-demo``: every app's demo step (egov.core.registry.demo_step), in their order."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.core import registry
from egov.core.progress import Progress


def load_demo(write) -> None:
    """Each step says what it loads before it starts (the first takes seconds), then its result."""
    for step in registry.demo_steps():
        try:
            with Progress(write, f"Demo data, {step.name}", 0):
                step.load(write)
        except ValidationError as exc:
            raise CommandError("Demo data refused: " + "; ".join(exc.messages)) from exc


class Command(BaseCommand):
    help = "Load the demo data: the government tree (central bodies, 34 provinces, 3,321 communes)."

    def handle(self, *args, **options):
        load_demo(self.stdout.write)
