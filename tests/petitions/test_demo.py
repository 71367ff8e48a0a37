"""The petitions' demo step: an official of the centre who receives and forwards petitions."""

from __future__ import annotations

import pytest

from egov.accounts import policy
from egov.accounts.models import Official
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.petitions import demo, scopes

from .conftest import CENTRE

pytestmark = pytest.mark.django_db


def test_the_demo_step_makes_the_centres_official_once(settings):
    settings.PRODUCTION = False
    centre = org_services.create_organisation(
        OrganisationData(CENTRE, "Văn phòng Chính phủ", "central")
    )
    lines = []
    demo.load(lines.append)
    demo.load(lines.append)
    official = Official.objects.get(user__username="pakn")
    assert official.organisation == centre
    assert policy.can(official.user, scopes.DISPATCH, centre)
    assert "pakn" in lines[0] and CENTRE in lines[0]
