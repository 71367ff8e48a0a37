"""``egov calendar``: ask the working calendar, or add an administrator's override.

    egov calendar due --from 2026-02-13T16:00 --working-days 3 [--org CODE]
    egov calendar between --from 2026-02-13T08:00 --to 2026-02-23T17:00 [--org CODE]
    egov calendar override add --date 2026-09-03 --kind day_off --reason "Decision ..." [--org CODE]

A --from / --to without an offset is read in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from egov.core.calendar import TIMEZONE, CalendarError, Unit, WorkingCalendar
from egov.core.services import calendar as calendar_services
from egov.core.services import organisations


class Command(BaseCommand):
    help = "Working calendar: when is something due, working time between instants, overrides."

    def add_arguments(self, parser):
        # Django's CommandParser passes called_from_command_line to its subparsers, so errors
        # become CommandError under call_command() and a usage message on the command line.
        sub = parser.add_subparsers(dest="action", required=True)

        due = sub.add_parser("due", help="Print when an amount of time from an instant is due.")
        due.add_argument("--from", dest="start", required=True, help="e.g. 2026-02-13T16:00")
        amounts = due.add_mutually_exclusive_group(required=True)
        for unit in Unit:
            amounts.add_argument(
                "--" + unit.value.replace("_", "-"),
                dest=unit.value,
                metavar="N",
                help=str(unit.label),
            )
        due.add_argument("--org", help="organisation code, for its own hours and overrides")

        between = sub.add_parser("between", help="Print the working hours between two instants.")
        between.add_argument("--from", dest="start", required=True)
        between.add_argument("--to", dest="end", required=True)
        between.add_argument("--org")

        override = sub.add_parser("override", help="Change the calendar of a day.")
        override_sub = override.add_subparsers(dest="override_action", required=True)
        add = override_sub.add_parser("add", help="Add a day off or a working day.")
        add.add_argument("--date", required=True, help="e.g. 2026-09-03")
        add.add_argument("--kind", required=True, choices=["day_off", "working_day"])
        add.add_argument("--reason", required=True)
        add.add_argument("--org", help="organisation code; nationwide when absent")

    def handle(self, *args, action, **options):
        organisation = _organisation(options.get("org"))
        try:
            if action == "due":
                self._due(options, organisation)
            elif action == "between":
                self._between(options, organisation)
            else:
                self._add_override(options, organisation)
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _due(self, options, organisation):
        unit = next(unit for unit in Unit if options.get(unit.value) is not None)
        amount = _amount(options[unit.value])
        calendar = WorkingCalendar.for_organisation(organisation)
        self.stdout.write(calendar.due(_instant(options["start"]), amount, unit).isoformat())

    def _between(self, options, organisation):
        calendar = WorkingCalendar.for_organisation(organisation)
        elapsed = calendar.between(_instant(options["start"]), _instant(options["end"]))
        hours = f"{elapsed.total_seconds() / 3600:.2f}".rstrip("0").rstrip(".")
        self.stdout.write(hours)

    def _add_override(self, options, organisation):
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(
                _("“%(value)s” is not a date like 2026-09-03.") % {"value": options["date"]}
            ) from exc
        override = calendar_services.add_override(
            date=day, kind=options["kind"], reason=options["reason"], organisation=organisation
        )
        where = str(organisation) if organisation else _("nationwide")
        self.stdout.write(
            _("Added %(override)s (%(where)s): %(reason)s")
            % {"override": override, "where": where, "reason": override.reason}
        )


def _organisation(code):
    if not code:
        return None
    organisation = organisations.resolve(code)
    if organisation is None:
        raise CommandError(_("No organisation has the code “%(code)s”.") % {"code": code})
    return organisation


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            _("“%(value)s” is not a date and time like 2026-02-13T16:00.") % {"value": text}
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=TIMEZONE)


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise CommandError(_("“%(value)s” is not a number.") % {"value": text}) from exc
    return amount
