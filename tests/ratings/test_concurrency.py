"""Two ratings of one dossier sent at once: one is recorded, the other refused as a second
rating (PostgreSQL: real row locks between connections; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from egov.ratings import services
from egov.ratings.errors import RatingRefused
from egov.ratings.models import CriterionScore, SatisfactionRating

from ..dossiers.core_support import make_world
from .conftest import data, returned

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections")
def test_concurrent_ratings_record_one():
    w = make_world()
    dossier = returned(w)
    outcomes, barrier = [], threading.Barrier(4)

    def run(score):
        try:
            barrier.wait()
            services.rate(dossier, actor=w.citizen.user, data=data(score))
            outcomes.append("rated")
        except RatingRefused as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(s,)) for s in (1, 2, 3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_rated"] * 3 + ["rated"]
    assert SatisfactionRating.objects.count() == 1
    assert CriterionScore.objects.count() == 12
