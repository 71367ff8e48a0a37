"""Administrators add an indicator in the admin: through the service, audited."""

import pytest

from egov.core.models import AuditEntry
from egov.reporting.models import Indicator

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "key": "forest_cover",
        "name": "Tỷ lệ che phủ rừng",
        "name_en": "Forest cover",
        "field": "environment",
        "unit": "%",
        "value_type": "percentage",
        "periodicity": "year",
        "levels": '["national", "province"]',
        "aggregation": "weighted",
        "sources": "[]",
    }
    data.update(changes)
    return data


def test_an_administrator_adds_an_indicator(admin_client):
    response = admin_client.post("/admin/reporting/indicator/add/", _form())
    assert response.status_code == 302, response.content[:500]
    indicator = Indicator.objects.get(key="forest_cover")
    entry = AuditEntry.objects.get(action="reporting.indicator_added")
    assert entry.object_id == str(indicator.pk)


def test_a_broken_indicator_is_not_saved(admin_client):
    response = admin_client.post(
        "/admin/reporting/indicator/add/", _form(aggregation="formula", levels="[]")
    )
    assert response.status_code == 200
    assert not Indicator.objects.filter(key="forest_cover").exists()
    assert not AuditEntry.objects.filter(action__startswith="reporting.").exists()
