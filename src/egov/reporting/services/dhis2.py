"""Importing DHIS2's dataValueSets JSON (the web API's ``POST /api/dataValueSets``), so that data
moves from DHIS2-like systems into a regime: issue 18 §6's other half (the export is
dashboard.data_value_set).

The mapping, by code by default (DHIS2's ``idScheme=code``): ``dataSet`` is the regime's code,
``dataElement`` the indicator's key, ``orgUnit`` the organisation's code, ``period`` a DHIS2
period identifier of the regime's periodicity (``202601``, ``2026Q1``, ``2026S1``, ``2026``; a
one-off regime: the year of its cut-off), ``categoryOptionCombo`` the disaggregation as the
form writes it (option codes joined by dots; absent, ``default`` or DHIS2's default combo's uid
for the total). ``period`` and ``orgUnit`` may be given per data value (DHIS2's bulk form): the
values are grouped into one report per organisation and period. ``comment`` is kept with the
value (shown beside it on the report and the drill-down); an empty ``value`` is no value
(DHIS2 deletes it).

Identifier schemes, as DHIS2 reads them: ``dataElementIdScheme``, ``orgUnitIdScheme``,
``dataSetIdScheme``, ``categoryOptionComboIdScheme`` and the general ``idScheme`` (for those
not given), in the body or the query, the body first; case does not matter. ``code`` is the
default here (DHIS2's is ``uid``: egov keeps no DHIS2 uids). ``name`` is the indicator's,
organisation's or regime's name (one that names two objects is a conflict), and for a
disaggregation its options' names joined by ", " as DHIS2 names a combination. ``uid``/``id``
and ``attribute:…`` have no equivalent here: a conflict naming the parameter, nothing written.

Each report goes through services.submissions (examine, then submit), so the checks are those
of the form, the .xlsx and the JSON API. DHIS2 imports value by value and ignores the bad ones;
here a report is whole or nothing (half a report would break its rules), so any conflict means
nothing is written: the answer is DHIS2's importSummary with status ERROR and the conflicts
(``object``, ``value``: a Vietnamese sentence). Warnings are conflicts too unless the caller
confirms them (``confirm_warnings``); ``dry_run`` checks and counts, writing nothing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core.models import Organisation

from ..models import DataValue, RegimeKind, ReportingRegime
from . import submissions

# DHIS2's period identifiers (ISO-like), per periodicity: what the export writes.
DHIS2_PERIOD = {
    "month": "{y}{n:02d}",
    "quarter": "{y}Q{n}",
    "half": "{y}S{n}",
    "year": "{y}",
}
_PERIOD_RE = {
    "month": re.compile(r"^(\d{4})(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "half": re.compile(r"^(\d{4})S([12])$"),
    "year": re.compile(r"^(\d{4})$"),
}
# DHIS2's default category option combo ("default"), by name and by its uid on every instance.
DEFAULT_COMBOS = {"", "default", "HllvX50cXC0"}
MAX_VALUES = 10_000  # as the JSON API


def period_id(regime, year: int, number: int) -> str:
    pattern = DHIS2_PERIOD.get(regime.periodicity) if regime.kind == RegimeKind.PERIODIC else None
    return (pattern or "{y}").format(y=year, n=number)


def parse_period(regime, text: str) -> tuple[int, int] | None:
    """(year, number) of a DHIS2 period identifier in ``regime``'s periodicity, else None."""
    periodicity = regime.periodicity if regime.kind == RegimeKind.PERIODIC else "year"
    match = _PERIOD_RE[periodicity].match(text or "")
    if match is None:
        return None
    year = int(match.group(1))
    number = int(match.group(2)) if periodicity != "year" else 1
    if periodicity == "month" and not 1 <= number <= 12:
        return None
    return year, number


class BadDocument(ValidationError):
    """The body is not a dataValueSet at all (400, before any conflict)."""


# The identifier scheme parameters, per kind of object; ``idScheme`` stands for the others.
SCHEME_PARAMETERS = {
    "dataSet": "dataSetIdScheme",
    "dataElement": "dataElementIdScheme",
    "orgUnit": "orgUnitIdScheme",
    "categoryOptionCombo": "categoryOptionComboIdScheme",
}
CODE, NAME = "code", "name"


def schemes(document: dict, query) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The scheme of each kind of object (code or name), and the conflicts of the others.
    DHIS2's precedence: the body before the query, a specific scheme before ``idScheme``."""
    chosen, problems = {}, []
    for kind, parameter in SCHEME_PARAMETERS.items():
        source, given = None, None
        for where in (document, query):
            for name in (parameter, "idScheme"):
                text = where.get(name) if hasattr(where, "get") else None
                if isinstance(text, str) and text.strip():
                    source, given = name, text.strip()
                    break
            if given:
                break
        scheme = (given or CODE).lower()
        if scheme in (CODE, NAME):
            chosen[kind] = scheme
            continue
        if scheme in ("uid", "id"):
            message = _("Objects here have no DHIS2 uid: identify them by “code” or “name”.")
        elif scheme.startswith("attribute:"):
            message = _("Objects here have no DHIS2 attributes: identify them by “code” or “name”.")
        else:
            message = _("“%(scheme)s” is not an identifier scheme: use “code” or “name”.") % {
                "scheme": given
            }
        problem = (source, f"{given}: {message}")
        if problem not in problems:
            problems.append(problem)
    return chosen, problems


def _by_name(objects, what: str, summary) -> dict:
    """{name: object} of ``objects``; a name two of them share is a conflict (its object is
    None: the values naming it are ignored, not refused a second time)."""
    found: dict[str, list] = {}
    for obj in objects:
        found.setdefault(obj.name, []).append(obj)
    for name, many in found.items():
        if len(many) > 1:
            _conflict(
                summary,
                name,
                _("Several %(what)s are named “%(name)s”: identify them by code.")
                % {"what": what, "name": name},
            )
    return {name: many[0] if len(many) == 1 else None for name, many in found.items()}


def _combo_names(indicator) -> dict[str, str]:
    """DHIS2's names of ``indicator``'s combinations ("Nam, Thành thị") -> our codes."""
    combo = indicator.disaggregation
    if combo is None:
        return {}
    categories = [list(c.options.all()) for c in combo.categories.order_by("code")]
    return {
        ", ".join(o.name for o in chosen): ".".join(o.code for o in chosen)
        for chosen in itertools.product(*categories)
    }


@dataclass
class Report:
    """The data values of one organisation and period, as entries for services.submissions."""

    organisation: Organisation
    year: int
    number: int
    entries: list[submissions.Entry] = field(default_factory=list)


@dataclass
class Summary:
    """DHIS2's importSummary."""

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    written: bool = False
    refused: bool = False  # nothing written because of a conflict or an unconfirmed warning

    @property
    def status(self) -> str:
        if self.conflicts:
            return "ERROR"
        return "WARNING" if self.warnings else "SUCCESS"

    def as_dict(self) -> dict:
        return {
            "responseType": "ImportSummary",
            "status": self.status,
            "description": (
                _("Import process completed successfully")
                if self.written
                else _("Nothing was imported.")
            ),
            "importCount": {
                "imported": self.imported,
                "updated": self.updated,
                "ignored": self.ignored,
                "deleted": self.deleted,
            },
            "conflicts": self.conflicts + self.warnings,
            "dataSetComplete": "false",
        }


def _conflict(summary: Summary, obj, message: str) -> None:
    conflict = {"object": str(obj), "value": message}
    if conflict not in summary.conflicts:  # one unknown org unit: one conflict, not one a value
        summary.conflicts.append(conflict)


def _text(item: dict, name: str, default: str = "") -> str:
    value = item.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadDocument(_("“%(name)s” must be a text.") % {"name": name})
    return str(value).strip()


def read(document, query=None) -> tuple[ReportingRegime | None, list[Report], Summary]:
    """The regime, the reports grouped by organisation and period, and the conflicts found
    in the identifiers; BadDocument for a body that is not a dataValueSet. ``query``: the
    request's parameters (identifier schemes)."""
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise BadDocument(_("The body is not a dataValueSet: “dataValues” is missing."))
    values = document["dataValues"]
    if not values:
        raise BadDocument(_("Give at least one value."))
    if len(values) > MAX_VALUES:
        raise BadDocument(_("At most %(n)s values at a time.") % {"n": MAX_VALUES})
    if not all(isinstance(v, dict) for v in values):
        raise BadDocument(_("Each data value must be an object."))
    summary = Summary()
    scheme, problems = schemes(document, query or {})
    for problem in problems:
        _conflict(summary, *problem)
    code = _text(document, "dataSet")
    regime = None
    if problems:
        pass  # nothing can be read
    elif scheme["dataSet"] == NAME:
        regimes = ReportingRegime.objects.filter(name=code) if code else []
        regime = _by_name(regimes, _("reporting regimes"), summary).get(code)
    elif code:
        regime = ReportingRegime.objects.filter(code=code).first()
    if regime is None:
        if not summary.conflicts:
            _conflict(summary, code, _("“%(code)s” is not a reporting regime.") % {"code": code})
        summary.ignored = len(values)
        summary.refused = True
        return None, [], summary
    top_unit, top_period = _text(document, "orgUnit"), _text(document, "period")
    if _text(document, "attributeOptionCombo") not in DEFAULT_COMBOS:
        _conflict(
            summary,
            _text(document, "attributeOptionCombo"),
            _("Attribute option combinations are not used: leave it out."),
        )
    units = {_text(v, "orgUnit", top_unit) for v in values}
    if scheme["orgUnit"] == NAME:
        organisations = _by_name(
            Organisation.objects.filter(name__in=units), _("organisations"), summary
        )
    else:
        organisations = {o.code: o for o in Organisation.objects.filter(code__in=units)}
    indicators = (
        _by_name(
            regime.indicators.select_related("disaggregation").prefetch_related(
                "disaggregation__categories__options"
            ),
            _("indicators of this regime"),
            summary,
        )
        if scheme["dataElement"] == NAME or scheme["categoryOptionCombo"] == NAME
        else {}
    )
    by_key = {i.key: i for i in indicators.values() if i is not None}
    reports: dict[tuple, Report] = {}
    for item in values:
        unit, period = _text(item, "orgUnit", top_unit), _text(item, "period", top_period)
        element, value = _text(item, "dataElement"), _text(item, "value")
        comment = _text(item, "comment")
        combo = _text(item, "categoryOptionCombo")
        if scheme["dataElement"] == NAME and element in indicators:
            if indicators[element] is None:  # shared by two: a conflict already
                summary.ignored += 1
                continue
            element = indicators[element].key
        # (An unknown name goes on as it is: the checks refuse it, naming it.)
        organisation = organisations.get(unit)
        parsed = parse_period(regime, period)
        problem = None
        if organisation is None and unit in organisations:  # a name shared: said already
            summary.ignored += 1
            continue
        if organisation is None:
            problem = (unit, _("“%(code)s” is not an organisation.") % {"code": unit})
        elif parsed is None:
            problem = (
                period,
                _("“%(period)s” is not a period of this regime (e.g. %(example)s).")
                % {"period": period, "example": period_id(regime, 2026, 1)},
            )
        elif _text(item, "attributeOptionCombo") not in DEFAULT_COMBOS:
            problem = (
                _text(item, "attributeOptionCombo"),
                _("Attribute option combinations are not used: leave it out."),
            )
        if problem:
            _conflict(summary, *problem)
            summary.ignored += 1
            continue
        if value == "":
            summary.ignored += 1  # no value: absent from the report
            continue
        report = reports.setdefault(
            (organisation.pk, *parsed), Report(organisation, parsed[0], parsed[1])
        )
        if combo in DEFAULT_COMBOS:
            combo = ""
        elif scheme["categoryOptionCombo"] == NAME:
            indicator = by_key.get(element)
            names = _combo_names(indicator) if indicator is not None else {}
            combo = names.get(combo, combo)  # an unknown one is refused by the checks
        report.entries.append(submissions.Entry(element, value, combo, comment))
    return regime, list(reports.values()), summary


def _held(regime, report: Report) -> dict:
    rows = DataValue.objects.filter(
        submission__regime=regime,
        submission__organisation=report.organisation,
        submission__year=report.year,
        submission__number=report.number,
    ).values_list("indicator__key", "disaggregation", "value", "comment")
    return {(k, d): (v, c) for k, d, v, c in rows}


def _count(summary: Summary, held: dict, entries) -> None:
    given = set()
    for entry in entries:
        key = (entry.indicator, entry.disaggregation)
        given.add(key)
        try:
            same = key in held and (Decimal(str(entry.value)), entry.comment) == held[key]
        except InvalidOperation:
            same = False
        if key not in held:
            summary.imported += 1
        elif same:
            summary.ignored += 1  # unchanged, as DHIS2 counts it
        else:
            summary.updated += 1
    summary.deleted += len(set(held) - given)


def import_data_value_set(
    *, actor, document, query=None, dry_run: bool = False, confirm: bool = False
) -> Summary:
    """Check every report of ``document``, then (unless a conflict, an unconfirmed warning or
    ``dry_run``) submit them all in one transaction. ``query``: the request's parameters, for
    the identifier schemes the body does not give."""
    regime, reports, summary = read(document, query)
    for report in reports:
        label = f"{report.organisation.code} {period_id(regime, report.year, report.number)}"
        try:
            found = submissions.examine(
                actor=actor,
                regime=regime,
                organisation=report.organisation,
                year=report.year,
                number=report.number,
                entries=report.entries,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            for message in messages:
                _conflict(summary, label, message)
            summary.ignored += len(report.entries)
            continue
        for problem in found.errors:
            obj = (
                report.entries[problem.entry].indicator
                if problem.entry is not None
                else problem.indicator or label
            )
            _conflict(summary, obj, problem.message)
        summary.warnings += [
            {"object": str(w.get("indicator") or label), "value": w["message"]}
            for w in found.warnings
        ]
        _count(summary, _held(regime, report), report.entries)
    if summary.conflicts or (summary.warnings and not confirm):
        if summary.warnings and not confirm and not summary.conflicts:
            _conflict(
                summary,
                regime.code,
                _("Warnings to confirm: send again with confirm_warnings=true."),
            )
        summary.refused = True
        summary.ignored += summary.imported + summary.updated
        summary.imported = summary.updated = summary.deleted = 0
        return summary
    if dry_run:
        return summary
    with transaction.atomic():  # all the reports or none
        for report in reports:
            submissions.submit(
                actor=actor,
                regime=regime,
                organisation=report.organisation,
                year=report.year,
                number=report.number,
                entries=report.entries,
                confirm=confirm,
            )
    summary.written = True
    return summary
