"""The ``egov`` command: a thin front over Django management commands.

``egov load-demo`` runs the management command ``load_demo``; any other Django command works too
(``egov createsuperuser``, ``egov shell``). ``egov --help`` lists the platform's own commands.
"""

from __future__ import annotations

import os
import sys

COMMANDS: dict[str, str] = {
    "serve": "Run the platform: migrate, first-start setup, task worker and web server.",
    "worker": "Run the background task worker (deadline timers, notifications, deliveries).",
    "migrate": "Create or upgrade the database schema.",
    "load-demo": "Load the demo data: organisations of the government tree and more.",
    "audit": "Audit log tools: 'egov audit verify' checks the hash chain.",
    "exchange": "Document exchange: 'egov exchange verify|export|check-trail|pull-parent|"
    "webhook-url|webhook-secret'.",
    "calendar": "Working calendar: 'egov calendar due --from ... --working-days N'.",
    "pki": "Signing keys: 'egov pki init' makes the development CA and certificates.",
    "bench": "Run a benchmark scenario: 'egov bench NAME [--quick]' (e.g. baseline).",
    "create-official": "Make an official: 'egov create-official NAME --organisation CODE'.",
    "api-client": "API clients: 'egov api-client create|add-key|rotate|revoke-key|disable'.",
    "generate-dossiers": "Bench data: 'egov generate-dossiers N' dossiers with histories.",
    "check": "Check the installation (add --deploy for production settings).",
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: egov COMMAND [options]",
        "",
        "egov: open-source e-government platform. Commands:",
        "",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "Every Django management command also works ('egov shell', 'egov createsuperuser').",
        "'egov COMMAND --help' explains one command. Settings: docs/configuration.md.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        sys.exit(0 if argv else 2)
    if argv[0] == "--version":
        from egov import __version__

        print(__version__)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    from django.core.management import execute_from_command_line

    command = argv[0].replace("-", "_")
    execute_from_command_line(["egov", command, *argv[1:]])


if __name__ == "__main__":
    main()
