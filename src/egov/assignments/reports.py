"""Reports that add up: counts of tasks in the four categories and ongoing, per organisation
(the lead), origin, period (the month assigned) and key-task flag, for any filter.

Each row's categories sum to its total (withdrawn tasks are in neither: they leave the
denominators), and every share is given with its denominator (``Share``). One aggregate query per
report, whatever the number of tasks or organisations (the bench: 100,000 tasks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.assignments.models import Assignment, Origin
from egov.assignments.status import CATEGORIES, CURRENT, Category, category_q, counted_q
from egov.core.models import Organisation

GROUPINGS = ("organisation", "origin", "period", "key")
_FIELD = {"organisation": "lead", "origin": "origin", "period": "month", "key": "is_key"}


@dataclass(frozen=True)
class Share:
    """A count over its denominator, and the percentage (one decimal) when there is one."""

    count: int
    of: int

    @property
    def percent(self) -> Decimal | None:
        if not self.of:
            return None
        value = Decimal(self.count * 100) / Decimal(self.of)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        """Vietnamese style: 14.068/21.914 (64,2 %)."""
        percent = self.percent
        shown = "—" if percent is None else f"{percent}".replace(".", ",") + " %"
        count, of = (f"{n:,}".replace(",", ".") for n in (self.count, self.of))
        return f"{count}/{of} ({shown})"


@dataclass
class Row:
    key: object
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.get(c.value, 0) for c in CATEGORIES)

    def count(self, cat: str) -> int:
        return self.counts.get(str(cat), 0)

    def share(self, cat: str) -> Share:
        return Share(self.count(cat), self.total)

    @property
    def shares(self) -> list[tuple[Category, Share]]:
        return [(c, self.share(c)) for c in CATEGORIES]

    @property
    def done(self) -> Share:
        return Share(self.count(Category.ON_TIME) + self.count(Category.LATE), self.total)


def _aggregates(today: date, basis: str) -> dict:
    return {c.value: Count("pk", filter=category_q(c, today, basis)) for c in CATEGORIES}


def filtered(
    queryset: QuerySet | None = None,
    *,
    organisation=None,
    origin: str = "",
    is_key: bool | None = None,
    assigned_from: date | None = None,
    assigned_to: date | None = None,
) -> QuerySet:
    """The tasks a report covers (withdrawn ones stay in: the categories leave them out)."""
    qs = Assignment.objects.all() if queryset is None else queryset
    if organisation is not None:
        qs = qs.filter(lead=organisation)
    if origin:
        qs = qs.filter(origin=origin)
    if is_key is not None:
        qs = qs.filter(is_key=is_key)
    if assigned_from is not None:
        qs = qs.filter(assigned_on__gte=assigned_from)
    if assigned_to is not None:
        qs = qs.filter(assigned_on__lte=assigned_to)
    return qs


def totals(queryset: QuerySet, today: date | None = None, basis: str = CURRENT) -> Row:
    """The whole of ``queryset`` in one row (one query)."""
    today = today or timezone.localdate()
    counts = queryset.aggregate(**_aggregates(today, basis))
    return Row(None, "", counts)


def grouped(
    queryset: QuerySet, by: str, today: date | None = None, basis: str = CURRENT
) -> list[Row]:
    """One row per organisation, origin, month or key-task flag (one query; organisation names
    in a second)."""
    today = today or timezone.localdate()
    name = _FIELD[by]
    qs = queryset.filter(counted_q())
    if by == "period":
        qs = qs.annotate(month=TruncMonth("assigned_on"))
    rows = list(qs.values(name).annotate(**_aggregates(today, basis)).order_by(name))
    if by == "organisation":
        names = dict(
            Organisation.objects.filter(pk__in=[r[name] for r in rows]).values_list("pk", "name")
        )
        out = [Row(r[name], names.get(r[name], ""), r) for r in rows]
        return sorted(out, key=lambda row: row.label)
    labels = {
        "origin": lambda v: str(Origin(v).label),
        "period": lambda v: v.strftime("%m/%Y") if v else "",
        "key": lambda v: _("Key tasks") if v else _("Other tasks"),
    }[by]
    return [Row(r[name], labels(r[name]), r) for r in rows]


def tile(queryset: QuerySet | None = None, today: date | None = None) -> dict:
    """The command centre's dashboard tile (the reporting issue places it): the current figures
    of every task, and of the key tasks."""
    qs = Assignment.objects.all() if queryset is None else queryset
    today = today or timezone.localdate()
    aggregates = _aggregates(today, CURRENT)
    aggregates.update(
        {f"key_{k}": Count("pk", filter=v.filter & Q(is_key=True)) for k, v in aggregates.items()}
    )
    counts = qs.aggregate(**aggregates)
    every = Row(None, "", {c.value: counts[c.value] for c in CATEGORIES})
    key = Row(None, "", {c.value: counts[f"key_{c.value}"] for c in CATEGORIES})
    return {"today": today, "all": every, "key": key}


def command_tile(request) -> dict | None:
    """The tile's context for the reader of a command-centre dashboard: the tasks they may read
    (None for someone who reads no task)."""
    from egov.accounts import policy

    from . import scopes
    from .access import visible

    held = policy.scopes_of(request.user)
    if scopes.READ not in held and "*" not in held:
        return None
    return {"tile": tile(visible(request.user))}


__all__ = ["GROUPINGS", "Row", "Share", "command_tile", "filtered", "grouped", "tile", "totals"]
