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
# Demo officials (outside production only): a commune's one-stop team in Đà Nẵng (a published
# provincial code, H17) and the province's document clerk. (username, title, roles, where)
DEMO_OFFICIAL_PASSWORD = "Demo-Official-2026!"  # noqa: S105 - printed; not made in production
DEMO_PROVINCE = "000.00.00.H17"
DEMO_OFFICIALS = (
    ("motcua", "Công chức Bộ phận Một cửa", ("desk",), "commune"),
    ("chuyenvien", "Công chức chuyên môn", ("processor",), "commune"),
    ("lanhdao", "Chủ tịch Ủy ban nhân dân", ("approver",), "commune"),
    ("vanthu", "Văn thư", ("clerk",), "province"),
)


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
        # Paths, not addresses: the port is egov serve's to choose (it prints the address).
        lines = [
            "Demo logins:",
            f"  administrator  /admin/  user {DEMO_ADMIN[0]}  password {DEMO_ADMIN[1]}",
        ]
        for username, title, roles, where in self._demo_officials():
            lines.append(
                f"  official       /accounts/login/  user {username}"
                f"  password {DEMO_OFFICIAL_PASSWORD}  ({title}, {', '.join(roles)}, {where})"
            )
        if len(lines) > 2:
            lines.append("  (officials enrol an authenticator app at their first login)")
        self.stdout.write("\n".join(lines))

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

    @transaction.atomic
    def _demo_officials(self) -> list[tuple[str, str, tuple, str]]:
        """The demo officials (made once, through the services); [] if Đà Nẵng is missing."""
        from egov.accounts.models import Official
        from egov.accounts.services import officials as official_services
        from egov.core.models import Organisation

        province = Organisation.objects.filter(code=DEMO_PROVINCE).order_by("-id").first()
        commune = (
            Organisation.objects.filter(parent=province, level="commune", valid_to__isnull=True)
            .order_by("code")
            .first()
            if province
            else None
        )
        if commune is None:
            return []
        made = []
        for username, title, roles, where in DEMO_OFFICIALS:
            organisation = commune if where == "commune" else province
            if not Official.objects.filter(user__username=username).exists():
                official = official_services.create_official(
                    username=username,
                    password=DEMO_OFFICIAL_PASSWORD,
                    organisation=organisation,
                    actor="system",
                    title=title,
                )
                for role in roles:
                    official_services.assign_role(official, role, organisation, actor="system")
            made.append((username, title, roles, f"{organisation.name} {organisation.code}"))
        return made
