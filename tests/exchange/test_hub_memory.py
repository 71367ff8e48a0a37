"""The hub keeps nothing per package (issue 6 section 8, memory flat over 100,000 packages)."""

from __future__ import annotations

import collections
import gc
import os
import subprocess
import sys
import weakref

import pytest

from egov.exchange.services.hub import packages
from tests.accounts.officials_support import make_official

from .conftest import make_package, signed

# Eighty packages counted object by object, and the WSGI application loaded in a subprocess.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _live() -> collections.Counter:
    gc.collect()
    # type(), not isinstance(): isinstance on a dead weak proxy in the heap raises ReferenceError.
    # Dead weak references are left out: sqlite3 keeps one per cursor in a list of its
    # connection and drops the dead ones every 200 cursors, a sawtooth of up to 200 that made
    # this test fail or pass by where the window fell in it (after the whole suite, not alone).
    return collections.Counter(
        type(o) for o in gc.get_objects() if not (type(o) is weakref.ref and o() is None)
    )


def test_accepting_packages_leaves_no_objects_behind(orgs):
    clerk = make_official("clerk_p", orgs.p, "clerk").user
    bodies = [
        signed(
            make_package(orgs.p, [orgs.q, orgs.a], number=n, attachment=os.urandom(2000)), orgs.p
        )
        for n in range(1, 81)
    ]

    def accept(batch):
        for data in batch:
            assert packages.accept_package(data, actor=clerk).created

    accept(bodies[:20])  # caches, lazily built state
    before = _live()
    accept(bodies[20:])  # 60 packages: a type kept per package would grow by 60 or more
    grown = {t.__qualname__: n for t, n in (_live() - before).items() if n >= 30}
    assert grown == {}


def test_the_wsgi_application_freezes_what_it_loaded():
    # A worker's loaded application stays out of garbage collections (egov/wsgi.py): otherwise
    # each request's reference cycles wait for a full collection, which comes rarely.
    env = {**os.environ, "EGOV_ENV": "test", "DJANGO_SETTINGS_MODULE": "egov.settings"}
    code = "import gc, egov.wsgi; print(gc.get_freeze_count())"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert int(done.stdout.split()[-1]) > 10_000
