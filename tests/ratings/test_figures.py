"""The service index's figures: per organisation, rated and disliked dossiers and the average
per criterion over dossiers returned in a period, in two queries; and the public rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from egov.dossiers.models import Dossier
from egov.ratings import figures, services
from egov.ratings.models import SatisfactionRating

from .conftest import all_scores, data, returned

pytestmark = pytest.mark.django_db


def _rated(w, score, *, disliked=False, returned_at=None, organisation=None):
    extra = {"organisation": organisation} if organisation else {}
    d = returned(w, **extra)
    rating = services.rate(
        d,
        actor=w.citizen.user,
        data=data(score, disliked=disliked, dislike_reason="Chậm" if disliked else ""),
    )
    if returned_at:
        Dossier.objects.filter(pk=d.pk).update(returned_at=returned_at)
        SatisfactionRating.objects.filter(pk=rating.pk).update(returned_at=returned_at)
    return rating


def test_figures_per_organisation_and_period(world, django_assert_num_queries):
    june = timezone.make_aware(dt.datetime(2026, 6, 10, 9))
    july = timezone.make_aware(dt.datetime(2026, 7, 2, 9))
    _rated(world, 5, returned_at=june)
    _rated(world, 2, disliked=True, returned_at=june)
    services.change(
        Dossier.objects.filter(satisfaction_ratings__isnull=False).order_by("pk").first(),
        actor=world.citizen.user,
        data=services.RatingData(scores=all_scores(4, attitude=1)),
    )
    _rated(world, 1, disliked=True, returned_at=july)
    _rated(world, 3, returned_at=june, organisation=world.b)
    with django_assert_num_queries(2):
        got = figures.figures(
            [world.a.pk, world.b.pk, world.p.pk], dt.date(2026, 6, 1), dt.date(2026, 7, 1)
        )
    a = got[world.a.pk]
    assert (a.rated, a.disliked) == (2, 1)
    assert a.disliked_share == Decimal("0.5000")
    # attitude: 1 (changed) and 2; the other criteria: 4 and 2
    assert a.averages["attitude"] == Decimal("1.50")
    assert a.averages["overall"] == Decimal("3.00")
    assert len(a.averages) == 12
    assert (got[world.b.pk].rated, got[world.b.pk].disliked) == (1, 0)
    assert got[world.p.pk].rated == 0 and got[world.p.pk].disliked_share is None
    whole = figures.figures([world.a.pk])[world.a.pk]
    assert (whole.rated, whole.disliked) == (3, 2)
    disliked = figures.disliked_dossiers([world.a.pk], dt.date(2026, 6, 1), dt.date(2026, 7, 1))
    assert [row["dossier_id"] for row in disliked] == [
        SatisfactionRating.objects.get(
            organisation=world.a, disliked=True, returned_at=june
        ).dossier_id
    ]


def test_public_rows_per_organisation_and_procedure(world, django_assert_num_queries):
    _rated(world, 5)
    _rated(world, 3, disliked=True)
    _rated(world, 4, organisation=world.b)
    with django_assert_num_queries(2):
        rows = figures.public_rows()
    assert [(r.organisation, r.rated, r.disliked, r.average) for r in rows] == [
        ("Xã A", 2, 1, Decimal("4.00")),
        ("Xã B", 1, 0, Decimal("4.00")),
    ]
    assert rows[0].averages["overall"] == Decimal("4.00")
    with django_assert_num_queries(2):
        by_procedure = figures.public_rows(organisation_id=world.a.pk, by_procedure=True)
    assert [(r.procedure_code, r.rated) for r in by_procedure] == [
        (world.version.procedure.code, 2)
    ]
