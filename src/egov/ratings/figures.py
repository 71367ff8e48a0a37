"""Counts and averages of ratings, for the service index (issue 17) and the public page.

:func:`figures` is what the service index calls: per organisation, the rated dossiers, the
disliked ones and the average per criterion, in two queries whatever the number of
organisations or ratings. Its period is the dossiers' return date (``returned_at``, copied on
the rating), the date the index counts finished dossiers by, so "rate with a dislike" divides
dislikes by dossiers of the same period. :func:`disliked_dossiers` lists them (the index's
drill-down). Nothing here names an applicant or shows a comment: these are public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from egov.ratings.models import CriterionScore, SatisfactionRating

TWO_PLACES = Decimal("0.01")


@dataclass
class Figures:
    rated: int = 0  # dossiers rated (one rating per dossier and applicant)
    disliked: int = 0  # of them, with a dislike
    # criterion code -> average score (Decimal, 2 places); a criterion nobody scored is absent
    averages: dict[str, Decimal] = field(default_factory=dict)

    @property
    def disliked_share(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.disliked) / Decimal(self.rated)).quantize(Decimal("0.0001"))


def _period(queryset, start: dt.datetime | dt.date | None, end, prefix: str = ""):
    """``start`` inclusive, ``end`` exclusive; a date is the day's start (local time)."""
    if start is not None:
        queryset = queryset.filter(**{f"{prefix}returned_at__gte": _moment(start)})
    if end is not None:
        queryset = queryset.filter(**{f"{prefix}returned_at__lt": _moment(end)})
    return queryset


def _moment(value):
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def figures(organisation_ids, start=None, end=None) -> dict[int, Figures]:
    """{organisation id: Figures} for the ratings of dossiers returned in [start, end) at those
    organisations (exactly those: pass a subtree's ids for a subtree). Organisations without
    ratings get empty Figures. Two queries."""
    ids = list(organisation_ids)
    out = {pk: Figures() for pk in ids}
    ratings = _period(SatisfactionRating.objects.filter(organisation_id__in=ids), start, end)
    for row in ratings.values("organisation_id").annotate(
        rated=Count("dossier_id", distinct=True),
        disliked=Count("dossier_id", filter=Q(disliked=True), distinct=True),
    ):
        found = out[row["organisation_id"]]
        found.rated, found.disliked = row["rated"], row["disliked"]
    scores = _period(
        CriterionScore.objects.filter(rating__organisation_id__in=ids), start, end, "rating__"
    )
    for row in scores.values("rating__organisation_id", "criterion__code").annotate(
        average=Avg("score")
    ):
        out[row["rating__organisation_id"]].averages[row["criterion__code"]] = _two(row["average"])
    return out


def disliked_dossiers(organisation_ids, start=None, end=None):
    """The dossiers counted in ``Figures.disliked``: a queryset of dossier ids."""
    ratings = SatisfactionRating.objects.filter(organisation_id__in=list(organisation_ids))
    return _period(ratings.filter(disliked=True), start, end).values("dossier_id").distinct()


@dataclass
class Row:
    """One line of the public aggregates: an organisation, or a procedure at it."""

    organisation: str
    organisation_code: str = ""
    procedure: str = ""
    procedure_code: str = ""
    rated: int = 0
    disliked: int = 0
    average: Decimal | None = None
    averages: dict[str, Decimal] = field(default_factory=dict)


def public_rows(*, organisation_id: int | None = None, by_procedure: bool = False) -> list[Row]:
    """Anonymous aggregates: per organisation (or, for one organisation, per procedure), the
    ratings, the dislikes, the overall average and the average per criterion code. Two
    queries."""
    ratings = SatisfactionRating.objects.all()
    scores = CriterionScore.objects.all()
    if organisation_id is not None:
        ratings = ratings.filter(organisation_id=organisation_id)
        scores = scores.filter(rating__organisation_id=organisation_id)
    keys = ["organisation_id", "organisation__name", "organisation__code"]
    if by_procedure:
        keys += ["procedure_id", "procedure__name", "procedure__code"]
    rows: dict[tuple, Row] = {}
    for r in (
        ratings.values(*keys)
        .annotate(
            rated=Count("pk"),
            disliked=Count("pk", filter=Q(disliked=True)),
            overall=Avg("average"),
        )
        .order_by("organisation__name", *(["procedure__code"] if by_procedure else []))
    ):
        key = (r["organisation_id"], r.get("procedure_id"))
        rows[key] = Row(
            organisation=r["organisation__name"],
            organisation_code=r["organisation__code"],
            procedure=r.get("procedure__name", ""),
            procedure_code=r.get("procedure__code", ""),
            rated=r["rated"],
            disliked=r["disliked"],
            average=_two(r["overall"]),
        )
    score_keys = [f"rating__{k}" for k in keys if k.endswith("_id")]
    for s in scores.values(*score_keys, "criterion__code").annotate(average=Avg("score")):
        key = (s["rating__organisation_id"], s.get("rating__procedure_id"))
        if key in rows:
            rows[key].averages[s["criterion__code"]] = _two(s["average"])
    return list(rows.values())


def _two(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
