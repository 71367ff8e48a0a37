"""The ``egov`` command: a thin front over Django management commands.

``egov load-demo`` runs the management command ``load_demo``; any other Django command works too
(``egov createsuperuser``, ``egov shell``). ``egov --help`` lists the platform's own commands:
each app declares its own in its AppConfig's ``commands`` (name: one line of help).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile

import egov

# The wiring app's commands are listed first: they are how one starts.
WIRING_APP = "site"


def app_commands() -> dict[str, str]:
    """Every app's ``commands`` (its AppConfig's: name, one line of help), the wiring's first.

    Read from the apps' apps.py modules without setting Django up, so that ``egov --help`` works
    before the settings do (production without its secrets).
    """
    names = sorted(m.name for m in pkgutil.iter_modules(egov.__path__) if m.ispkg)
    names.sort(key=lambda name: name != WIRING_APP)
    commands: dict[str, str] = {}
    for name in names:
        try:
            module = importlib.import_module(f"egov.{name}.apps")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and getattr(value, "name", None) == f"egov.{name}":
                commands.update(getattr(value, "commands", {}))
    return commands


def usage() -> str:
    commands = app_commands()
    width = max(len(name) for name in commands)
    lines = [
        "usage: egov COMMAND [options]",
        "",
        "egov: open-source e-government platform. Commands:",
        "",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in commands.items()]
    lines += [
        "",
        "Every Django management command also works ('egov shell', 'egov createsuperuser').",
        "'egov COMMAND --help' explains one command. Settings: docs/configuration.md.",
    ]
    return "\n".join(lines)


def load_settings(*, wants_help: bool) -> None:
    """Import the settings, or stop with their one sentence instead of a traceback.

    A command's ``--help`` works where the settings do not load: without EGOV_ENV they are
    production's, which need secrets a laptop does not have. The help is then shown with the
    development defaults (an in-memory database, var/ in the temporary directory).
    """
    from django.core.exceptions import ImproperlyConfigured

    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
        return
    except ImproperlyConfigured as exc:
        problem = str(exc)
    unset = "" if "EGOV_ENV" in os.environ else " (EGOV_ENV is not set: production)"
    if not wants_help:
        sys.exit(f"egov: {problem}{unset}. On a laptop, EGOV_ENV=dev; see docs/configuration.md.")
    os.environ["EGOV_ENV"] = "dev"
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    # Development settings make var/static: not in the directory someone asked for help in.
    os.environ.setdefault("EGOV_VAR_DIR", os.path.join(tempfile.gettempdir(), "egov-help"))
    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as exc:
        sys.exit(f"egov: {exc}. See docs/configuration.md.")
    print(
        f"(The settings did not load: {problem}{unset}. Defaults below are EGOV_ENV=dev's.)",
        file=sys.stderr,
    )


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
    load_settings(wants_help=bool({"-h", "--help"} & set(argv[1:])))
    from django.core.management import execute_from_command_line

    command = argv[0].replace("-", "_")
    execute_from_command_line(["egov", command, *argv[1:]])


if __name__ == "__main__":
    main()
