from importlib import resources

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from egov.core.services import audit
from egov.core.services.organisations import import_organisations
from egov.demo import organisations as demo_orgs

# The demo administrator: only made outside production, and printed so people can log in.
DEMO_ADMIN = ("quantri", "Egov-Demo-2026!")


class Command(BaseCommand):
    help = "Load the demo data: the government tree (central bodies, 34 provinces, 3,321 communes)."

    def handle(self, *args, **options):
        try:
            central = import_organisations(demo_orgs.central_rows(), source="demo:agencies.json")
            local = import_organisations(demo_orgs.local_rows(), source="demo:vietnam-provinces")
        except ValidationError as exc:
            raise CommandError("Demo data refused: " + "; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Organisations: {central.created + local.created} created, "
            f"{central.unchanged + local.unchanged} already present."
        )
        self._catalogue()
        if settings.PRODUCTION:
            self.stdout.write("Production: no demo logins were created.")
            return
        self._demo_admin()
        self.stdout.write(
            "Demo logins:\n"
            f"  administrator  http://127.0.0.1:8000/admin/  user {DEMO_ADMIN[0]}"
            f"  password {DEMO_ADMIN[1]}"
        )

    def _catalogue(self) -> None:
        # The 39 detailed procedures first, then the national index (information-only records).
        from egov.catalog.services.importing import import_file

        for name in ("procedures.json", "catalogue-index.jsonl"):
            report = import_file(
                resources.files("egov.catalog").joinpath("data", name), actor="system"
            )
            self.stdout.write(
                f"Procedures ({name}): {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {len(report.rejected)} rejected "
                f"({report.seconds:.1f} s)"
            )

    @transaction.atomic
    def _demo_admin(self) -> None:
        User = get_user_model()
        username, password = DEMO_ADMIN
        if User.objects.filter(username=username).exists():
            return
        user = User.objects.create_superuser(username=username, password=password, email="")
        audit.record(actor="system", action="user.create", obj=user, summary={"demo": True})
