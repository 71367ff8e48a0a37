"""The report of one organisation for one period, laid out as a form: the web page and the
.xlsx template are both drawn from it, and both read back through it into the entries that
services.submissions checks (the same checks as the API, never a copy).

A form has one line per value the organisation reports under the regime: each indicator of the
regime that its level reports and that is in force at the cut-off (not a formula: it is
computed, never reported), once undivided, or once per combination of its disaggregation's
options (categories in code order, options in their order).
Each line carries the unit, the previous period's value and the value saved or typed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from egov.core import numbers

from ..models import Aggregation, Submission
from ..models import Field as IndicatorField
from . import rules
from .submissions import Entry, Examination, _cutoff, _reportable

PREFIX = "v-"
SEPARATOR = "--"  # between an indicator's key and its disaggregation in a field's name


@dataclass
class Line:
    indicator: object  # Indicator
    disaggregation: str  # option codes joined by "." ("" undivided)
    part: str  # the options' names, "Nam · Thành thị"
    previous: Decimal | None
    value: str = ""
    comment: str = ""  # the note sent with the saved value (DHIS2's comment, the API's)
    index: int = 0  # its place in the form: the page's element ids (a name may hold dots)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        suffix = f"{SEPARATOR}{self.disaggregation}" if self.disaggregation else ""
        return f"{PREFIX}{self.indicator.key}{suffix}"

    @property
    def label(self) -> str:
        return f"{self.indicator.name} ({self.part})" if self.part else self.indicator.name

    @property
    def previous_text(self) -> str:
        return "" if self.previous is None else typed(self.previous)


@dataclass
class Form:
    regime: object
    organisation: object
    year: int
    number: int
    lines: list[Line]
    submission: Submission | None
    general_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def sections(self) -> list[tuple[str, list[Line]]]:
        """The lines grouped by the indicators' field (the nine fields), in the fields' order."""
        order = {value: rank for rank, value in enumerate(IndicatorField.values)}
        groups = itertools.groupby(
            sorted(self.lines, key=lambda line: order.get(line.indicator.field, 99)),
            key=lambda line: line.indicator.field,
        )
        return [(IndicatorField(key).label, list(lines)) for key, lines in groups]

    @property
    def has_errors(self) -> bool:
        return any(line.errors for line in self.lines)

    def by_name(self) -> dict[str, Line]:
        return {line.name: line for line in self.lines}


def _parts(indicator) -> list[tuple[str, str]]:
    """(code, name) of each combination of ``indicator``'s options; [("", "")] undivided."""
    combo = indicator.disaggregation
    if combo is None:
        return [("", "")]
    # Categories in code order (their Meta ordering), as the checks join a disaggregation's codes.
    categories = [list(c.options.all()) for c in combo.categories.all()]
    return [
        (".".join(o.code for o in chosen), " · ".join(o.name for o in chosen))
        for chosen in itertools.product(*categories)
    ]


def build(regime, organisation, year: int, number: int) -> Form:
    """The form of ``organisation`` for the period, with its saved values if it has sent them.
    The caller has checked the scope and the period (submissions.check_period)."""
    day = _cutoff(regime, year, number)
    indicators = [
        i
        for i in regime.indicators.select_related("disaggregation")
        .prefetch_related("disaggregation__categories__options")
        .order_by("field", "key")
        # A formula is computed from its inputs, never reported: no line for it.
        if i.aggregation != Aggregation.FORMULA and _reportable(i, organisation, day) is None
    ]
    previous = rules.previous_values(regime, organisation, year, number)
    submission = (
        Submission.objects.filter(
            regime=regime, organisation=organisation, year=year, number=number
        )
        .prefetch_related("values")
        .first()
    )
    saved = (
        {(v.indicator_id, v.disaggregation): v for v in submission.values.all()}
        if submission
        else {}
    )
    lines = []
    for indicator in indicators:
        for code, part in _parts(indicator):
            held = saved.get((indicator.pk, code))
            value = held.value if held is not None else None
            lines.append(
                Line(
                    indicator=indicator,
                    disaggregation=code,
                    part=part,
                    previous=previous.get((indicator.pk, code)),
                    value="" if value is None else typed(value),
                    comment=held.comment if held is not None else "",
                    index=len(lines),
                )
            )
    return Form(regime, organisation, year, number, lines, submission)


def typed(value: Decimal) -> str:
    """A saved value as one would type it: a decimal comma, never grouped. A point would not
    do: 1.125 sent back as "1.125" reads as a thousand one hundred and twenty-five."""
    return numbers.shown(value.normalize(), whole=False)


def normalise(text) -> str:
    """A typed number as the checks read it, the Vietnamese way (:mod:`egov.core.numbers`):
    "1.000" and "1 000" are a thousand (they were read as one: a report's figure silently
    lost three zeros), "45,5" and "1.250.000,5" have a decimal comma; "45.5" stays as it is,
    other spaces out."""
    return "".join(numbers.read(text, whole=True).split())


def fill(form: Form, data) -> list[Line]:
    """Put the values of ``data`` (a POST) into the form's lines; the lines given, in order."""
    given = []
    for line in form.lines:
        line.value = (data.get(line.name) or "").strip()[:64]
        if line.value:
            given.append(line)
    return given


def entries_of(lines: list[Line]) -> list[Entry]:
    return [Entry(line.indicator.key, normalise(line.value), line.disaggregation) for line in lines]


def place(form: Form, given: list[Line], found: Examination) -> None:
    """Put the problems that ``found`` reports against the lines they are about: a value's
    problem on its line, a rule's on the first line of its indicator; the rest stays general."""
    first = {}
    for line in form.lines:
        first.setdefault(line.indicator.key, line)
    for problem in found.errors:
        if problem.entry is not None:
            given[problem.entry].errors.append(problem.message)
        elif problem.indicator in first:
            first[problem.indicator].errors.append(problem.message)
        else:
            form.general_errors.append(problem.message)
    for warning in found.warnings:
        line = first.get(warning.get("indicator"))
        if line is not None:
            line.warnings.append(warning["message"])
        form.warnings.append(warning["message"])
