from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.demo import organisations as demo_orgs
from egov.core.services.organisations import import_organisations


class Command(BaseCommand):
    help = "Load the demo data: the government tree (central bodies, 34 provinces, 3,321 communes)."

    def handle(self, *args, **options):
        try:
            central = import_organisations(
                demo_orgs.central_rows(), source="demo:agencies.json"
            )
            local = import_organisations(
                demo_orgs.local_rows(), source="demo:vietnam-provinces"
            )
        except ValidationError as exc:
            raise CommandError("Demo data refused: " + "; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Organisations: {central.created + local.created} created, "
            f"{central.unchanged + local.unchanged} already present."
        )
