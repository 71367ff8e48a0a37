"""The caches follow what feeds the index: a change of a source moves the key of the
organisation it belongs to, after the commit; an unrelated change moves nothing; a partial
recompute gives the same figures as a full one; a drill-down reads its figure from the cache."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.core.services import audit
from egov.serviceindex import engine, sources
from egov.serviceindex.models import IndexIndicator
from egov.serviceindex.periods import Period
from egov.sync.models import SyncMark

from .support import dossier, make_world, november

pytestmark = pytest.mark.django_db
NOV = Period.parse("2026-11")


@pytest.fixture
def w():
    world = make_world()
    world.d = november(world)
    return world


def ranking():
    return {
        c.organisation.pk: {line.indicator.code: line.figure for line in c.lines}
        for c in engine.scorecards(NOV)
    }


def act(capture, **row):
    with capture(execute=True), transaction.atomic():
        audit.record(actor="test", summary={}, **row)


def test_an_unrelated_change_keeps_every_key(w, django_capture_on_commit_callbacks):
    before = sources.tokens([w.p.pk, w.q.pk])
    act(django_capture_on_commit_callbacks, action="accounts.login", object_type="accounts.user")
    act(django_capture_on_commit_callbacks, action="cabinet.vote", organisation=w.p)
    # Refusals change nothing the index reads.
    act(django_capture_on_commit_callbacks, action="payments.callback_refused")
    act(django_capture_on_commit_callbacks, action="payments.refund_done", organisation=w.p)
    assert sources.tokens([w.p.pk, w.q.pk]) == before


def test_a_dossier_act_moves_its_province_only(w, django_capture_on_commit_callbacks):
    before = sources.tokens([w.p.pk, w.q.pk])
    act(django_capture_on_commit_callbacks, action="dossiers.return_result", organisation=w.a)
    after = sources.tokens([w.p.pk, w.q.pk])
    assert after[w.q.pk] == before[w.q.pk]
    assert after[w.p.pk] != before[w.p.pk]  # commune A is in province P


def test_the_bump_waits_for_the_commit(w):
    before = sources.tokens([w.p.pk])
    with transaction.atomic():
        audit.record(actor="test", action="dossiers.receive", organisation=w.p, summary={})
        assert sources.tokens([w.p.pk]) == before  # not committed: a reader keeps the old key


def test_a_catalogue_change_moves_every_key(w, django_capture_on_commit_callbacks):
    before = sources.tokens([w.p.pk, w.q.pk])
    act(django_capture_on_commit_callbacks, action="procedure.publish", obj=w.version)
    after = sources.tokens([w.p.pk, w.q.pk])
    assert after[w.p.pk] != before[w.p.pk] and after[w.q.pk] != before[w.q.pk]


def test_a_sync_mark_moves_its_province(w, django_capture_on_commit_callbacks):
    """A successful send writes no audit row: the mark itself moves the key (1.4)."""
    before = sources.tokens([w.p.pk, w.q.pk])
    with django_capture_on_commit_callbacks(execute=True):
        SyncMark.objects.create(dossier=w.d["d7"], version=1, synced_at=timezone.now())
    after = sources.tokens([w.p.pk, w.q.pk])
    assert after[w.q.pk] != before[w.q.pk]  # d7 is province Q's
    assert after[w.p.pk] == before[w.p.pk]


def test_a_lost_counter_starts_above_its_old_value(w):
    (first,) = sources.tokens([w.p.pk]).values()
    sources.bump([sources.org_counter(w.p.pk)])
    cache.delete(sources.PREFIX + sources.org_counter(w.p.pk))
    (again,) = sources.tokens([w.p.pk]).values()
    assert int(again.rsplit(".", 1)[1]) > int(first.rsplit(".", 1)[1]) + 1


def test_a_partial_recompute_equals_a_full_one(w, django_capture_on_commit_callbacks):
    ranking()  # every organisation cached
    dossier(w, w.q, received="2026-11-20", processed="2026-11-21", timeliness="late")
    act(django_capture_on_commit_callbacks, action="dossiers.return_result", organisation=w.q)
    with CaptureQueriesContext(connection) as queries:
        partial = ranking()
    dossier_queries = [q["sql"] for q in queries if 'FROM "dossiers_dossier"' in q["sql"]]
    assert dossier_queries  # Q was computed again...
    for sql in dossier_queries:  # ...over Q's subtree alone
        assert '"organisation_id" IN (' in sql
    assert partial[w.q.pk]["2.1"].denominator == 2
    cache.clear()
    assert ranking() == partial  # exact: the same figures as a computation from nothing


def test_nothing_changed_reads_the_cache(w, django_assert_max_num_queries):
    first = ranking()
    with django_assert_max_num_queries(5):  # organisations, snapshot, version, indicators, cache
        assert ranking() == first


def test_a_drilldown_figure_is_the_ranking_figure(w):
    """For every indicator: counted alone, or read from the ranking's cache, the same figure."""
    cards = {c.organisation.pk: c for c in engine.scorecards(NOV)}
    for indicator in IndexIndicator.objects.select_related("group__version"):
        for org in (w.p, w.q):
            expected = cards[org.pk].line(indicator.code).figure
            assert engine.trace(org, NOV, indicator).line.figure == expected
    cache.clear()
    for indicator in IndexIndicator.objects.select_related("group__version"):
        expected = engine.scorecard(w.p, NOV).line(indicator.code).figure
        cache.clear()
        assert engine.trace(w.p, NOV, indicator).line.figure == expected
