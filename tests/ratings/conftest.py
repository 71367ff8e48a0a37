"""Shared pieces of the ratings tests: the one-stop world of the dossier tests, and dossiers
the citizen filed online, taken to a given status by the dossiers' services."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from egov.dossiers import services as dossier_services
from egov.ratings import services
from egov.ratings.services import current_set

from ..dossiers.core_support import make_world, submit


def ensure_criteria() -> None:
    """The default criteria set, as migration 0002 loads it: a transactional test's flush (here
    or in another app) empties the table for the tests after it."""
    if services.current_set() is None:
        migration = importlib.import_module("egov.ratings.migrations.0002_default_criteria")
        migration.load(apps, None)


@pytest.fixture(autouse=True)
def _criteria(request):
    # A test marked ``django_db(transaction=True)`` names neither fixture: its marker counts.
    names = request.fixturenames
    if "db" in names or "transactional_db" in names or request.node.get_closest_marker("django_db"):
        ensure_criteria()


@pytest.fixture
def world(db):
    return make_world()


def returned(w, **extra):
    """A dossier of the citizen, commune A, result returned (status 10)."""
    d = submit(w, **extra)
    d = dossier_services.receive(d, actor=None)
    d = dossier_services.start_processing(d, actor=None)
    d = dossier_services.mark_processed(d, actor=None)
    return dossier_services.return_result(d, actor=None)


def all_scores(score=4, **overrides) -> dict:
    codes = current_set().criteria.values_list("code", flat=True)
    scores = dict.fromkeys(codes, score)
    scores.update(overrides)
    return scores


def data(score=4, **extra) -> services.RatingData:
    values = {"scores": all_scores(score)}
    values.update(extra)
    return services.RatingData(**values)
