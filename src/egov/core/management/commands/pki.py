"""``egov pki init`` and ``egov pki show CODE``: the signing CA and organisation certificates."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from egov.core.models import Organisation
from egov.core.signing import pki


def _day(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


class Command(BaseCommand):
    help = (
        "Signing keys. 'init' makes the development CA and the certificates of central and "
        "province bodies (or checks the configured files in production); 'show CODE' prints an "
        "organisation's certificate."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{init,show}")
        init = actions.add_parser("init", help="Create or check the CA and the certificates.")
        init.add_argument(
            "--all",
            action="store_true",
            help="Issue certificates for every current organisation, not only central and "
            "province bodies (the others are otherwise issued on first signing).",
        )
        show = actions.add_parser("show", help="Print an organisation's certificate.")
        show.add_argument("code", help="Electronic identification code, e.g. 000.00.00.G22.")

    def handle(self, *args, **options):
        try:
            if options["action"] == "init":
                self.init(all_orgs=options["all"])
            else:
                self.show(options["code"])
        except pki.PkiError as exc:
            raise CommandError(str(exc)) from None

    def init(self, *, all_orgs: bool) -> None:
        organisations = None
        if all_orgs:
            today = dt.date.today()
            organisations = Organisation.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today)
            ).only("code", "name")
        report = pki.ensure_pki(organisations, write=self.stdout.write)
        ca = pki.ensure_ca()
        mode = (
            "development CA, created automatically"
            if pki.auto_create()
            else "configured certificates, EGOV_PKI_AUTO_CREATE off"
        )
        out = self.stdout.write
        out(f"PKI directory: {report.directory} ({mode})")
        created = " (created now)" if report.ca_created else ""
        out(f"CA certificate: {report.ca_path}{created}")
        out(f"  subject: {pki.subject_text(ca)}")
        out(f"  valid until: {_day(ca.not_valid_after_utc)}")
        scope = "all current organisations" if all_orgs else "central and province bodies"
        out(f"Organisation certificates ({scope}) in {report.directory / 'orgs'}:")
        if pki.auto_create():
            out(f"  created: {len(report.created)}")
        out(f"  already present: {report.existing}")
        if not pki.auto_create():
            out(f"  missing: {len(report.missing)}")
            for code in report.missing[:20]:
                paths = pki.org_paths(code)
                out(f"    {code}: {paths.cert} and {paths.key}")
            if len(report.missing) > 20:
                out(f"    ... and {len(report.missing) - 20} more")
        if report.deferred:
            when = (
                "are issued on first signing"
                if pki.auto_create()
                else "need their files before they can sign"
            )
            out(f"Other organisations: {report.deferred} {when}.")

    def show(self, code: str) -> None:
        paths = pki.org_paths(code)
        if not paths.cert.exists():
            hint = (
                "It is issued on first signing, or by 'egov pki init --all'."
                if pki.auto_create()
                else "The operator must provide it."
            )
            raise CommandError(f"No certificate for {code}: {paths.cert} does not exist. {hint}")
        cert = pki.load_certificate(code)
        org = Organisation.objects.filter(code=code).order_by("-valid_from").first()
        out = self.stdout.write
        if org is not None:
            out(f"Organisation: {org.name} ({org.code})")
        out(f"Certificate: {paths.cert}")
        out(f"Subject: {pki.subject_text(cert)}")
        out(f"Issuer: {cert.issuer.rfc4514_string()}")
        out(f"Serial: {cert.serial_number:x}")
        out(f"Valid from: {_day(cert.not_valid_before_utc)}")
        out(f"Valid until: {_day(cert.not_valid_after_utc)}")
        out(f"SHA-256 fingerprint: {cert.fingerprint(hashes.SHA256()).hex(':')}")
        try:
            usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
            names = [
                name
                for name, on in (
                    ("digitalSignature", usage.digital_signature),
                    ("nonRepudiation", usage.content_commitment),
                )
                if on
            ]
            out(f"Key usage: {', '.join(names) or '-'}")
        except x509.ExtensionNotFound:
            pass
        key_state = "present" if paths.key.exists() else "MISSING"
        out(f"Private key: {paths.key} ({key_state})")
        if paths.chain.exists():
            out(f"Chain: {paths.chain}")
