from django.core.management.base import BaseCommand, CommandError

from egov.core.chain import Anchor
from egov.core.services import audit


def anchor_argument(parser) -> None:
    parser.add_argument(
        "--anchor",
        metavar="LENGTH:HASH",
        help="An anchor an earlier verify printed: the chain must still extend it.",
    )


def run_verify(command: BaseCommand, verify, what: str, options: dict, *, again: str) -> None:
    """Shared by `egov audit verify` and `egov exchange verify` (egov.core.chain); ``again`` is
    the command line that checks a kept anchor."""
    given = None
    if options.get("anchor"):
        try:
            given = Anchor.parse(options["anchor"])
        except ValueError as exc:
            raise CommandError(f"--anchor: {exc}.") from None
    verdict = verify(given)
    if verdict.problem is not None:
        raise CommandError(f"{what} broken: {verdict.problem}. {verdict.length} rows walked.")
    command.stdout.write(f"{what} intact: {verdict.length} rows, chain verified.")
    for anchor in verdict.checked:
        command.stdout.write(f"It extends {anchor.source} ({anchor.length} rows).")
    command.stdout.write(
        f"Anchor: {verdict.head}\n"
        f"Keep it outside this server: '{again} --anchor {verdict.head}' shows later that no "
        "row was removed since."
    )


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks the hash chain, names the first bad row, and prints "
        "the log's anchor (LENGTH:HASH) to keep; --anchor checks the log still extends one."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Check every row's hash and its link to the previous row, and that the log "
            "extends its last recorded anchor (and --anchor).",
        )
        anchor_argument(verify)

    def handle(self, *args, action, **options):
        run_verify(self, audit.verify, "Audit log", options, again="egov audit verify")
