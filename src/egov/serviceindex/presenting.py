"""What the pages, the API and the spreadsheets show of a score: names, rates, figures.

One place turns an engine ``Scored`` line into display values, and says how each counted model
is listed in a drill-down (its columns, in the reader's language: names, not codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.catalog.models import Procedure, ProcedureVersion
from egov.dossiers.models import Dossier
from egov.petitions.models import Petition

from .labels import label
from .scoring import Scored, rounded


def number(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return _("N/A")
    return formats.number_format(rounded(value) if places == 2 else value, places)


@dataclass
class Line:
    """A score line as shown: every figure beside the score."""

    code: str
    name: str
    group: str
    points: Decimal
    target: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    rate: Decimal | None
    score: Decimal | None
    informative: bool
    average: bool
    na_reason: str
    numerator_label: str
    denominator_label: str

    @classmethod
    def of(cls, line: Scored) -> Line:
        indicator = line.indicator
        average = indicator.measure == "average"
        return cls(
            code=indicator.code,
            name=label(indicator.name),
            group=label(indicator.group.name),
            points=line.points,
            target=line.target,
            numerator=line.figure.numerator,
            denominator=line.figure.denominator,
            rate=rounded(line.figure.rate(percent=not average)),
            score=rounded(line.score),
            informative=line.informative,
            average=average,
            na_reason=na_text(line),
            numerator_label=label(indicator.numerator_label),
            denominator_label=label(indicator.denominator_label),
        )

    def as_dict(self) -> dict[str, Any]:
        def d(v):
            return None if v is None else float(v)

        return {
            "code": self.code,
            "name": self.name,
            "points": d(self.points),
            "target": d(self.target),
            "numerator": d(self.numerator),
            "denominator": d(self.denominator),
            "rate": d(self.rate),
            "measure": "average" if self.average else "rate",
            "score": d(self.score),
            "na_reason": self.na_reason,
        }


def na_text(line: Scored) -> str:
    if line.figure.available:
        return ""
    if line.figure.na_reason:
        return _(line.figure.na_reason)
    return _("nothing to count in this period")


def group_name(group) -> str:
    return label(group.name)


# --- drill-down rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    kind: str  # what the rows are, for the access rule: "public" or "personal"
    noun: Any
    columns: tuple
    related: tuple
    row: Any


def _date(value, fmt="d/m/Y") -> str:
    return formats.date_format(value, fmt) if value else ""


def _local(value) -> str:
    from django.utils import timezone

    return formats.date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""


LISTINGS = {
    Dossier: Listing(
        "personal",
        gettext_lazy("dossiers"),
        (
            gettext_lazy("Dossier code"),
            gettext_lazy("Procedure"),
            gettext_lazy("Agency"),
            gettext_lazy("Received"),
            gettext_lazy("Processed"),
            gettext_lazy("Dossier status"),
        ),
        ("procedure_version", "organisation"),
        lambda d: (
            d.code,
            d.procedure_version.name,
            d.organisation.name,
            _local(d.received_at),
            _local(d.processed_at),
            d.get_status_display(),
        ),
    ),
    Petition: Listing(
        "personal",
        gettext_lazy("petitions"),
        (
            gettext_lazy("Petition code"),
            gettext_lazy("Title"),
            gettext_lazy("Agency"),
            gettext_lazy("Answered"),
            gettext_lazy("Answered late"),
        ),
        ("organisation",),
        lambda p: (
            p.code,
            p.title,
            p.organisation.name,
            _local(p.answered_at),
            _("Yes") if p.answered_late else _("No"),
        ),
    ),
    Procedure: Listing(
        "public",
        gettext_lazy("procedures"),
        (gettext_lazy("Procedure code"), gettext_lazy("Procedure"), gettext_lazy("Online level")),
        (),
        lambda p: (p.code, p.name, p.get_online_level_display()),
    ),
    ProcedureVersion: Listing(
        "public",
        gettext_lazy("procedure versions"),
        (
            gettext_lazy("Procedure"),
            gettext_lazy("Publishing agency"),
            gettext_lazy("Published"),
            gettext_lazy("Effective from"),
        ),
        ("publishing_agency",),
        lambda v: (
            v.name,
            v.publishing_agency.name if v.publishing_agency else v.publishing_agency_name,
            _local(v.published_at),
            _date(v.effective_from),
        ),
    ),
}
