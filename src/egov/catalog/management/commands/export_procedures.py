from pathlib import Path

from django.core.management.base import BaseCommand

from egov.catalog.services import formats
from egov.catalog.services.importing import export_contents


class Command(BaseCommand):
    help = "Export the catalogue (the version in force of each procedure) in one of the formats."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=formats.FORMATS, default="procedures")
        parser.add_argument("--output", "-o", type=Path, help="default: standard output")
        parser.add_argument("--code", action="append", dest="codes", help="only these codes")
        parser.add_argument(
            "--detailed-only", action="store_true", help="leave out information-only records"
        )

    def handle(self, *args, **options):
        contents = export_contents(options["codes"], detailed_only=options["detailed_only"])
        text = formats.write(contents, options["format"])
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(contents)} procedures written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
