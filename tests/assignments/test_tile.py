"""The command centre's tile of assigned tasks, registered into core (egov.core.registry): the
dashboards of the reporting app place it; each reader sees the tasks they may read."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory

from egov.core import registry

from .conftest import make_task


def _build(user):
    (tile,) = [t for t in registry.command_tiles() if t.name == "assignments"]
    request = RequestFactory().get("/")
    request.user = user
    return tile, tile.build(request)


def test_each_reader_counts_the_tasks_they_may_read(world, django_assert_max_num_queries):
    make_task(world)
    make_task(world, lead=world.p, coordinators=[], responsible=world.prov)
    with django_assert_max_num_queries(4):
        tile, office = _build(world.clerk.user)
    assert office["tile"]["all"].total == 2
    assert _build(world.prov.user)[1]["tile"]["all"].total == 1
    html = render_to_string(tile.template, office)
    assert "/assignments/report/" in html


def test_someone_who_reads_no_task_gets_no_tile(db, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert _build(nobody)[1] is None
