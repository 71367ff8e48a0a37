"""The reporting tests' shared fixture: ``w``, commune A's reporter logged in, with a monthly
regime of communes A and B (tests/reporting/form_support.py has the helpers)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps

from ..accounts.officials_support import make_official, tree  # noqa: F401
from .submission_support import make_regime


def ensure_indicators() -> None:
    """The indicators as migrations 0002 and 0005 load them: a transactional test's flush (here
    or in another app, e.g. the ratings' concurrency test run just before on PostgreSQL) empties
    the table for the tests after it."""
    from egov.reporting.models import Indicator

    if not Indicator.objects.exists():
        importlib.import_module("egov.reporting.migrations.0002_load_indicators").load(apps, None)
        importlib.import_module("egov.reporting.migrations.0005_name_weights").name(apps, None)


@pytest.fixture(autouse=True)
def _indicators(request):
    # A test marked ``django_db(transaction=True)`` names neither fixture: its marker counts.
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")  # set up before this fixture reads
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    ensure_indicators()


@pytest.fixture(autouse=True)
def _memos(request, monkeypatch):
    # The dashboards' per-process memos (rendered tables, boards, drill-downs, egov's counts,
    # tiles), emptied as the cache is (conftest.py at the root): a test must not find another
    # test's.
    from egov.reporting import dashboard_views, freshness

    memos = (dashboard_views._memo, dashboard_views._boards, dashboard_views._drills)
    for memo in (*memos, freshness.memo):
        memo.clear()
    # A test runs in one transaction that never commits: the counters' bumps (after the commit,
    # freshness.COUNTERS.on_commit) run at once instead, as each service call's commit would run
    # them. A test that takes django_capture_on_commit_callbacks runs them itself, at its
    # commits (tests/reporting/test_remembered.py).
    if "django_capture_on_commit_callbacks" not in request.fixturenames:
        monkeypatch.setattr(freshness.COUNTERS, "on_commit", lambda run: run())
    yield
    for memo in (*memos, freshness.memo):
        memo.clear()


@pytest.fixture
def w(tree, client):  # noqa: F811
    regime = make_regime(tree.a, tree.b)
    reporter = make_official("rep_a", tree.a, "reporter")
    reporter.user.first_name, reporter.user.last_name = "Lan", "Trần Thị"
    reporter.user.save()
    client.force_login(reporter.user)
    return SimpleNamespace(regime=regime, t=tree, reporter=reporter.user, client=client)
