"""egov create-official: make an official (and optionally give them roles) from the command line."""

from __future__ import annotations

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.accounts.models import Role
from egov.accounts.services import officials as official_services
from egov.core.models import Organisation


class Command(BaseCommand):
    help = (
        "Create an official: username, organisation (electronic code), password (asked, or "
        "from EGOV_OFFICIAL_PASSWORD), roles. The authenticator app is enrolled at first login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="Code, e.g. 000.00.00.H26")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--title", default="")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=Role.values,
            help="A role at the organisation (repeatable).",
        )
        parser.add_argument(
            "--subtree", action="store_true", help="The roles cover the units below too."
        )
        parser.add_argument("--staff", action="store_true", help="May open the admin pages.")

    def handle(self, *args, **options):
        org = (
            Organisation.objects.filter(code=options["organisation"])
            .order_by("-valid_from")
            .first()
        )
        if org is None:
            raise CommandError(f"No organisation with code {options['organisation']}.")
        password = os.environ.get("EGOV_OFFICIAL_PASSWORD") or getpass.getpass("Password: ")
        try:
            official = official_services.create_official(
                username=options["username"],
                password=password,
                organisation=org,
                actor="cli",
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                title=options["title"],
                is_staff=options["staff"],
            )
            for role in options["role"]:
                official_services.assign_role(
                    official, role, org, actor="cli", include_subtree=options["subtree"]
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Official {official.user.username} (id {official.pk}) at {org.code}; "
            f"roles: {', '.join(options['role']) or 'none'}. "
            "The authenticator app is enrolled at the first login."
        )
