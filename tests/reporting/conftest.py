"""The reporting tests' shared fixture: ``w``, commune A's reporter logged in, with a monthly
regime of communes A and B (tests/reporting/form_support.py has the helpers)."""

from types import SimpleNamespace

import pytest

from ..accounts.officials_support import make_official, tree  # noqa: F401
from .submission_support import make_regime


@pytest.fixture
def w(tree, client):  # noqa: F811
    regime = make_regime(tree.a, tree.b)
    reporter = make_official("rep_a", tree.a, "reporter")
    reporter.user.first_name, reporter.user.last_name = "Lan", "Trần Thị"
    reporter.user.save()
    client.force_login(reporter.user)
    return SimpleNamespace(regime=regime, t=tree, reporter=reporter.user, client=client)
