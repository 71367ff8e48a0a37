"""The ratings' demo step: three returned dossiers of the demo citizen, two rated, once."""

from __future__ import annotations

import pytest

from egov.accounts.models import Citizen
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.dossiers.models import Dossier, Status
from egov.ratings import demo
from egov.ratings.models import SatisfactionRating

pytestmark = pytest.mark.django_db


def test_the_demo_rates_two_dossiers_once(world, settings):
    settings.PRODUCTION = False
    settings.EGOV_OIDC_ISSUER = "http://127.0.0.1:9999"
    province = org_services.create_organisation(
        OrganisationData(demo.DEMO_PROVINCE, "Thành phố Đà Nẵng", "province")
    )
    commune = org_services.create_organisation(
        OrganisationData("000.00.01.H17", "Phường Hải Châu", "commune", parent=province)
    )
    lines = []
    demo.load(lines.append)
    demo.load(lines.append)
    citizen = Citizen.objects.get(subject=demo.DEMO_CITIZEN[0])
    assert citizen.issuer == settings.EGOV_OIDC_ISSUER
    dossiers = Dossier.objects.filter(applicant_citizen=citizen)
    assert dossiers.count() == 3
    assert {d.status for d in dossiers} == {Status.RESULT_RETURNED}
    assert {d.organisation_id for d in dossiers} == {commune.pk}
    ratings = SatisfactionRating.objects.filter(citizen=citizen)
    assert ratings.count() == 2 and ratings.filter(disliked=True).count() == 1
    assert "2 dossiers" in lines[0] and "already" in lines[1]


def test_no_demo_ratings_in_production(settings, db):
    settings.PRODUCTION = True
    lines = []
    demo.load(lines.append)
    assert not SatisfactionRating.objects.exists() and "Production" in lines[0]
