import datetime as dt
import logging
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.management.commands.audit import anchor_argument, run_verify
from egov.core.services import organisations
from egov.exchange import trail
from egov.exchange.services import evidence, webhooks
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay import inbound


class Command(BaseCommand):
    help = (
        "Document exchange tools. 'verify' checks the evidence chain; 'export DOCUMENT_ID' writes "
        "one document's trail; 'check-trail FILE' verifies an exported trail offline; "
        "'pull-parent' takes statuses and packages from the parent hub (provincial role); "
        "'webhook-secret ORG_CODE' sets or rotates the secret that signs pushes to a mailbox; "
        "'webhook-url ORG_CODE URL' sets where the hub pushes its mail."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Check every evidence row's hash and links, and that the chain extends its "
            "last recorded anchor (and --anchor).",
        )
        anchor_argument(verify)
        exp = sub.add_parser("export", help="Write one document's trail as JSON.")
        exp.add_argument("document_id")
        exp.add_argument("--output", "-o", required=True)
        chk = sub.add_parser("check-trail", help="Verify an exported trail (no database).")
        chk.add_argument("file")
        chk.add_argument("--trusted-pem")
        pull = sub.add_parser(
            "pull-parent", help="Take statuses and packages from the parent hub (provincial)."
        )
        pull.add_argument(
            "--every",
            type=float,
            default=0,
            help="Seconds between pulls; run until stopped (default: pull once and exit).",
        )

        hook = sub.add_parser(
            "webhook-secret",
            help="Set or rotate the organisation's webhook secret (printed once).",
        )
        hook.add_argument("organisation", help="organisation code")
        hook.add_argument(
            "--remove", action="store_true", help="Remove it: pushes go unsigned (not advised)."
        )

        url = sub.add_parser(
            "webhook-url", help="Set where the hub pushes the organisation's mail (https)."
        )
        url.add_argument("organisation", help="organisation code")
        url.add_argument("url", nargs="?", default="", help="https://... (none with --remove)")
        url.add_argument(
            "--remove", action="store_true", help="No pushes: the organisation pulls its mail."
        )

    def handle(self, *args, action, **options):
        if action == "verify":
            run_verify(
                self, evidence.verify, "Exchange evidence", options, again="egov exchange verify"
            )
        elif action == "export":
            data = evidence.export_json(options["document_id"])
            Path(options["output"]).write_text(data, encoding="utf-8")
            self.stdout.write(f"Trail of {options['document_id']} written to {options['output']}.")
        elif action == "pull-parent":
            self._pull(options["every"])
        elif action == "webhook-secret":
            self._webhook_secret(options["organisation"], remove=options["remove"])
        elif action == "webhook-url":
            self._webhook_url(options["organisation"], options["url"], remove=options["remove"])
        else:
            argv = [options["file"]]
            if options.get("trusted_pem"):
                argv += ["--trusted-pem", options["trusted_pem"]]
            if trail.main(argv) != 0:
                raise CommandError("The trail does not verify.")

    def _pull(self, every: float) -> None:
        if not parent_hub.is_provincial():
            raise CommandError("This hub is not provincial (EGOV_EXCHANGE_ROLE).")
        while True:
            try:
                counts = inbound.pull()
            except parent_hub.RelayError as exc:
                if not every:
                    raise CommandError(str(exc)) from exc
                logging.getLogger(__name__).warning("exchange: pull from the parent: %s", exc)
            else:
                if counts["statuses"] or counts["packages"] or not every:
                    self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if not every:
                return
            time.sleep(every)

    def _webhook_secret(self, code: str, *, remove: bool) -> None:
        organisation = organisations.resolve(code)
        if organisation is None:
            raise CommandError(f"No organisation {code}.")
        new = webhooks.set_secret(organisation, actor="cli", remove=remove)
        if remove:
            self.stdout.write(f"Webhook secret of {code} removed: its pushes go unsigned.")
            return
        self.stdout.write(f"webhook_secret: {new.secret}  (shown once)")
        if new.previous_until:
            until = new.previous_until.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            self.stdout.write(
                f"The previous secret still works until {until}: pushes carry both signatures "
                "until then; give the receiver the new one before."
            )
        elif new.rotated:
            self.stdout.write("The previous secret stopped now (no overlap configured).")
        if not organisation.mailbox.webhook_url:
            self.stdout.write(f"Note: {code} has no webhook URL; nothing is pushed to it yet.")

    def _webhook_url(self, code: str, url: str, *, remove: bool) -> None:
        if bool(url) == remove:
            raise CommandError("Give either a URL or --remove.")
        organisation = organisations.resolve(code)
        if organisation is None:
            raise CommandError(f"No organisation {code}.")
        try:
            mailbox = webhooks.set_url(organisation, url, actor="cli")
        except webhooks.UrlError as exc:
            raise CommandError(f"Refused: {exc}.") from None
        if not url:
            self.stdout.write(f"{code} has no webhook now: it pulls its mail.")
            return
        self.stdout.write(f"The hub pushes {code}'s mail to {url}.")
        if not mailbox.webhook_secret:
            self.stdout.write(
                f"Note: no webhook secret, pushes go unsigned: egov exchange webhook-secret {code}"
            )
