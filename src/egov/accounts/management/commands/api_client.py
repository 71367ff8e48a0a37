"""egov api-client: create API clients, give them secrets or public keys, rotate, revoke."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.accounts.models import ApiClient, ClientKey
from egov.accounts.services import clients as client_services
from egov.core.models import Organisation


class Command(BaseCommand):
    help = "API clients: create | add-key | rotate | revoke-key | disable."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        create = sub.add_parser("create")
        create.add_argument("name")
        create.add_argument("--organisation", action="append", required=True, help="code")
        create.add_argument("--scope", action="append", default=[])
        create.add_argument("--subtree", action="store_true")
        create.add_argument("--public-key", help="PEM file: authenticate with signed JWTs")
        add = sub.add_parser("add-key")
        add.add_argument("client_id")
        add.add_argument("--public-key", help="PEM file (default: a new client secret)")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("client_id")
        revoke = sub.add_parser("revoke-key")
        revoke.add_argument("kid")
        disable = sub.add_parser("disable")
        disable.add_argument("client_id")

    def _client(self, client_id):
        client = ApiClient.objects.filter(client_id=client_id).first()
        if client is None:
            raise CommandError(f"No client {client_id}.")
        return client

    def _key(self, client, public_key):
        if public_key:
            key = client_services.add_public_key(client, Path(public_key).read_text(), actor="cli")
            self.stdout.write(f"kid: {key.kid}")
        else:
            key, secret = client_services.add_secret(client, actor="cli")
            self.stdout.write(f"kid: {key.kid}\nclient_secret: {secret}  (shown once)")

    def handle(self, *args, **options):
        what = options["what"]
        try:
            if what == "create":
                orgs = list(Organisation.objects.filter(code__in=options["organisation"]))
                if len(orgs) < len(set(options["organisation"])):
                    raise CommandError("Unknown organisation code.")
                client = client_services.create_client(
                    name=options["name"],
                    organisations=orgs,
                    scopes=options["scope"],
                    include_subtree=options["subtree"],
                    actor="cli",
                )
                self.stdout.write(f"client_id: {client.client_id}")
                self._key(client, options["public_key"])
            elif what == "add-key":
                self._key(self._client(options["client_id"]), options["public_key"])
            elif what == "rotate":
                _key, secret = client_services.rotate_secret(
                    self._client(options["client_id"]), actor="cli"
                )
                self.stdout.write(f"kid: {_key.kid}\nclient_secret: {secret}  (shown once)")
            elif what == "revoke-key":
                key = ClientKey.objects.filter(kid=options["kid"]).first()
                if key is None:
                    raise CommandError(f"No key {options['kid']}.")
                client_services.revoke_key(key, actor="cli")
                self.stdout.write(f"revoked {key.kid}")
            elif what == "disable":
                client_services.update_client(
                    self._client(options["client_id"]), actor="cli", is_active=False
                )
                self.stdout.write("disabled")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
