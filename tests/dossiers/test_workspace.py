"""The one-stop panel of the official's workspace: counts per queue linking to the queue's
filters, the dossiers overdue or due within a working day, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.dossiers.models import Dossier

from .core_support import walk_in, world  # noqa: F401


@pytest.fixture
def w(world):  # noqa: F811
    return world


def card(html: str, href: str) -> int:
    """The count shown on the card linking to ``href``."""
    match = re.search(
        r'egov-card__count">(\d+)</span>\s*<a class="egov-card__link" href="'
        + re.escape(href.replace("&", "&amp;"))
        + '"',
        html,
    )
    assert match, f"no card for {href}"
    return int(match.group(1))


def test_counts_per_queue_and_the_dossiers_due_soon(client, w):
    overdue, soon, later = walk_in(w), walk_in(w), walk_in(w)
    now = timezone.now()
    Dossier.objects.filter(pk=overdue.pk).update(due_at=now - dt.timedelta(hours=2))
    Dossier.objects.filter(pk=soon.pk).update(due_at=now + dt.timedelta(minutes=30))
    Dossier.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=30))
    client.force_login(w.desk.user)
    html = client.get("/workspace/").content.decode()
    assert card(html, "/one-stop/?due=overdue") == 1
    assert card(html, "/one-stop/?due=soon") == 1
    assert card(html, "/one-stop/") == 3
    # The pressing table: the overdue first, the one due soon next, never the one due later.
    table = html.split("egov-row--", 1)[1]
    assert table.index(overdue.code) < table.index(soon.code)
    assert later.code not in table
    # The card's link gives the same dossiers on the queue page.
    queue = client.get("/one-stop/?due=soon").content.decode()
    assert soon.code in queue and overdue.code not in queue and later.code not in queue


def test_queries_do_not_grow_with_the_dossiers(client, w):
    client.force_login(w.desk.user)
    walk_in(w)
    client.get("/workspace/")  # warm: the calendar, the instance name
    with CaptureQueriesContext(connection) as few:
        assert client.get("/workspace/").status_code == 200
    for _ in range(6):
        dossier = walk_in(w)
        Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        assert client.get("/workspace/").status_code == 200
    # 11: the e-Cabinet's navigation link asks whether the official has a cabinet role.
    assert len(many) == len(few) <= 11, [q["sql"] for q in many.captured_queries]


def test_the_panel_is_for_those_who_read_dossiers(client, w):
    from tests.accounts.officials_support import make_official

    clerk = make_official("clerk_a", w.a, "clerk")
    client.force_login(clerk.user)
    html = client.get("/workspace/").content.decode()
    assert 'id="ws-dossiers"' not in html and "/one-stop/" not in html
    client.force_login(w.desk.user)
    assert 'id="ws-dossiers"' in client.get("/workspace/").content.decode()
