"""Reports add up: for any filter, the categories sum to the total (withdrawn tasks in neither),
and every share has its denominator."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.assignments import reports
from egov.assignments.models import Assignment, Origin
from egov.assignments.status import CATEGORIES, Category, category

from .conftest import SOURCE

pytestmark = pytest.mark.django_db
START = date(2026, 1, 1)

task = st.fixed_dictionaries(
    {
        "lead": st.integers(0, 2),
        "due": st.one_of(st.none(), st.integers(0, 120)),
        "done": st.one_of(st.none(), st.integers(0, 150)),
        "withdrawn": st.booleans(),
        "is_key": st.booleans(),
        "origin": st.sampled_from(Origin.values),
        "assigned": st.integers(0, 90),
    }
)
a_filter = st.fixed_dictionaries(
    {
        "organisation": st.one_of(st.none(), st.integers(0, 2)),
        "origin": st.sampled_from(["", *Origin.values]),
        "is_key": st.one_of(st.none(), st.booleans()),
        "assigned_from": st.one_of(st.none(), st.integers(0, 90)),
        "assigned_to": st.one_of(st.none(), st.integers(0, 90)),
    }
)


def _rows(world, tasks):
    leads = [world.m1, world.m2, world.p]
    Assignment.objects.all().delete()
    Assignment.objects.bulk_create(
        Assignment(
            source_number=SOURCE.number,
            source_date=SOURCE.date,
            source_type=SOURCE.type,
            source_signer=SOURCE.signer,
            origin=t["origin"],
            content="x",
            is_key=t["is_key"],
            assigner=world.office,
            lead=leads[t["lead"]],
            deadline_kind="date" if t["due"] is not None else "ongoing",
            deadline=None if t["due"] is None else START + timedelta(days=t["due"]),
            due_on=None if t["due"] is None else START + timedelta(days=t["due"]),
            original_due_on=None if t["due"] is None else START + timedelta(days=t["due"]),
            completed_on=None if t["done"] is None else START + timedelta(days=t["done"]),
            withdrawn_at=None if not t["withdrawn"] else "2026-02-01T00:00:00Z",
            assigned_on=START + timedelta(days=t["assigned"]),
        )
        for t in tasks
    )
    return leads


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tasks=st.lists(task, max_size=25), flt=a_filter, today=st.integers(0, 150))
def test_categories_sum_to_the_total_for_any_filter(world, tasks, flt, today):
    leads = _rows(world, tasks)
    day = START + timedelta(days=today)
    kwargs = {
        "organisation": None if flt["organisation"] is None else leads[flt["organisation"]],
        "origin": flt["origin"],
        "is_key": flt["is_key"],
        "assigned_from": None
        if flt["assigned_from"] is None
        else START + timedelta(days=flt["assigned_from"]),
        "assigned_to": None
        if flt["assigned_to"] is None
        else START + timedelta(days=flt["assigned_to"]),
    }
    qs = reports.filtered(**kwargs)
    whole = reports.totals(qs, day)
    expected = qs.filter(withdrawn_at__isnull=True).count()
    assert whole.total == expected
    # the same counts, task by task, from the one-task rule
    by_rule = {c.value: 0 for c in CATEGORIES}
    for t in qs:
        cat = category(t.due_on, t.completed_on, day, withdrawn=t.withdrawn_at is not None)
        if cat is not None:
            by_rule[cat.value] += 1
    assert {c.value: whole.count(c) for c in CATEGORIES} == by_rule
    for by in reports.GROUPINGS:
        rows = reports.grouped(qs, by, day)
        assert sum(r.total for r in rows) == expected
        for c in CATEGORIES:
            assert sum(r.count(c) for r in rows) == whole.count(c)


def test_share_shows_its_denominator():
    share = reports.Share(14068, 21914)
    assert share.percent == Decimal("64.2")
    assert str(share) == "14.068/21.914 (64,2 %)"
    assert reports.Share(0, 0).percent is None


def test_grouped_by_organisation_is_one_query_and_names_them(world):
    _rows(
        world,
        [
            {
                "lead": i % 3,
                "due": i,
                "done": None,
                "withdrawn": False,
                "is_key": False,
                "origin": "manual",
                "assigned": 0,
            }
            for i in range(30)
        ],
    )
    with CaptureQueriesContext(connection) as queries:
        rows = reports.grouped(Assignment.objects.all(), "organisation", START)
    assert len(queries) == 2  # the counts, the names
    assert [r.label for r in rows] == sorted([world.m1.name, world.m2.name, world.p.name])
    assert sum(r.total for r in rows) == 30


def test_the_tile(world):
    _rows(
        world,
        [
            {
                "lead": 0,
                "due": 10,
                "done": 5,
                "withdrawn": False,
                "is_key": True,
                "origin": "manual",
                "assigned": 0,
            },
            {
                "lead": 1,
                "due": 10,
                "done": None,
                "withdrawn": False,
                "is_key": False,
                "origin": "manual",
                "assigned": 0,
            },
            {
                "lead": 1,
                "due": 10,
                "done": None,
                "withdrawn": True,
                "is_key": True,
                "origin": "manual",
                "assigned": 0,
            },
        ],
    )
    figures = reports.tile(today=START + timedelta(days=20))
    assert figures["all"].total == 2
    assert figures["all"].count(Category.OVERDUE) == 1
    assert figures["key"].total == 1
    assert figures["key"].count(Category.ON_TIME) == 1
