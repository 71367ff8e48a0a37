"""Version 766-2022 as loaded by the migration: five groups of 100 points, each group's
indicators adding up to its maximum."""

from decimal import Decimal as D

import pytest

from egov.serviceindex.indicators import FORMULAS
from egov.serviceindex.models import IndexVersion

pytestmark = pytest.mark.django_db


def test_version_766_groups_and_points():
    version = IndexVersion.objects.get(code="766-2022")
    groups = {g.key: g for g in version.groups.all()}
    assert {k: g.maximum for k, g in groups.items()} == {
        "publicity": D(18),
        "progress": D(20),
        "digitisation": D(22),
        "online": D(22),
        "satisfaction": D(18),
    }
    for group in groups.values():
        assert sum(i.points for i in group.indicators.all()) == group.maximum, group.key


def test_every_indicator_names_a_known_formula():
    version = IndexVersion.objects.get(code="766-2022")
    formulas = {i.formula for g in version.groups.all() for i in g.indicators.all()}
    assert formulas <= set(FORMULAS)
