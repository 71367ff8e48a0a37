"""Generation counters and what moves them: an app's declared actions bump its counters after
the commit of the change that recorded them (one callback per app, none after a rollback or
for an act nobody follows), unread acts move nothing, and what only a query can name is
resolved after the commit, all of one batch of rows at once."""

from __future__ import annotations

import pytest
from django.db import transaction

from egov.core import generations
from egov.core.services import audit

pytestmark = pytest.mark.django_db

PREFIX = "test:gen:"


@pytest.fixture
def resolved():
    """Test counters, registered for the test only: ``apples.*`` moves ``fruit``, a pear its
    own counter (resolved after the commit: what ``resolve`` got is kept), refusals nothing."""
    got: list[set] = []

    def resolve(items):
        got.append(set(items))
        return [f"pear:{pk}" for _kind, pk in items]

    counters = generations.Counters(
        PREFIX,
        {
            "apples.*": "fruit",
            "pears.*": lambda entry: {("pear", int(entry.object_id))},
            "pears.picked": ("fruit", "picked"),
        },
        unread=("*_refused",),
        resolve=resolve,
    )
    generations.register(counters)
    yield got
    generations._registered.pop(PREFIX)


def values(*names):
    keys = [PREFIX + name for name in names]
    found = generations.read(keys)
    return [found[key] for key in keys]


def act(action, **row):
    audit.record(actor="test", action=action, summary={}, **row)


def test_a_declared_act_moves_its_counters_after_the_commit(
    resolved, django_capture_on_commit_callbacks
):
    before = values("fruit", "picked", "pear:7", "pear:8")
    rows = [
        {"action": "apples.picked"},
        {"action": "pears.picked", "object_type": "pears.pear", "object_id": 7},
        {"action": "pears.eaten", "object_type": "pears.pear", "object_id": 8},
    ]
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        audit.record_many([{"actor": "test", **row} for row in rows])
        assert values("fruit", "picked", "pear:7", "pear:8") == before  # not committed yet
    ours = [c for c in callbacks if c.__module__ == generations.__name__]
    assert len(ours) == 1  # one batch of rows, one callback for these counters
    assert resolved == []  # nothing is queried before the commit
    ours[0]()
    after = values("fruit", "picked", "pear:7", "pear:8")
    assert all(a != b for a, b in zip(after, before, strict=True))
    assert resolved == [{("pear", 7), ("pear", 8)}]  # both pears, in one call


def test_an_unread_or_unfollowed_act_moves_nothing(resolved, django_capture_on_commit_callbacks):
    before = values("fruit")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        act("apples.picked_refused")
        act("plums.picked")
    assert [c for c in callbacks if c.__module__ == generations.__name__] == []
    assert values("fruit") == before


def test_a_rolled_back_change_moves_nothing(resolved, django_capture_on_commit_callbacks):
    before = values("fruit")
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        act("apples.picked")
        raise RuntimeError("the change failed")
    assert [c for c in callbacks if c.__module__ == generations.__name__] == []
    assert values("fruit") == before


def test_registering_a_prefix_again_replaces_it(resolved, django_capture_on_commit_callbacks):
    generations.register(generations.Counters(PREFIX, {"plums.*": "fruit"}))
    before = values("fruit")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        act("apples.picked")
    assert values("fruit") == before
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        act("plums.picked")
    assert values("fruit") != before
