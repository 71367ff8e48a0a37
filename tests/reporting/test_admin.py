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


def test_an_administrator_sets_and_removes_a_target_in_the_admin(admin_client):
    from egov.reporting.models import Target

    indicator = Indicator.objects.get(key="svc_on_time_rate")
    form = {
        "indicator": indicator.pk,
        "organisation": "",
        "year": "0",
        "number": "0",
        "direction": "higher",
        "low": "95",
        "high": "",
        "near_percent": "5",
        "note": "Quyết định 766/QĐ-TTg",
    }
    response = admin_client.post("/admin/reporting/target/add/", form)
    assert response.status_code == 302, response.content[:800]
    target = Target.objects.get()
    assert AuditEntry.objects.get(action="reporting.target_set").object_id == str(target.pk)
    # The same target twice is refused by the form, not saved.
    assert admin_client.post("/admin/reporting/target/add/", form).status_code == 200
    # A band without its upper bound is refused.
    response = admin_client.post(
        f"/admin/reporting/target/{target.pk}/change/", {**form, "direction": "band"}
    )
    assert response.status_code == 200 and Target.objects.get().direction == "higher"
    response = admin_client.post(f"/admin/reporting/target/{target.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Target.objects.exists()
    assert AuditEntry.objects.filter(action="reporting.target_removed").count() == 1


def test_a_targets_bounds_are_typed_the_vietnamese_way(admin_client):
    """The model's DecimalField read "221.000" as 221 and refused "1.250.000,5": the bounds
    are read with grouped thousands and a decimal comma; "1.000" (a thousand, or one?) and
    garbage are refused in Vietnamese, nothing saved."""
    from decimal import Decimal

    from egov.reporting.models import Target

    indicator = Indicator.objects.get(key="svc_on_time_rate")
    form = {
        "indicator": indicator.pk,
        "organisation": "",
        "year": "0",
        "number": "0",
        "direction": "band",
        "low": "221.000,0",
        "high": "1.250.000,5",
        "near_percent": "2,5",
        "note": "",
    }
    for changes, message in (
        ({"low": "1.000"}, "có thể là dấu phân cách hàng nghìn"),
        ({"high": "1.25O.000"}, "dấu phẩy thập phân"),
        ({"year": "2.025"}, "Chỉ nhập chữ số"),
    ):
        response = admin_client.post("/admin/reporting/target/add/", {**form, **changes})
        assert response.status_code == 200 and message in response.content.decode()
        assert not Target.objects.exists()
    response = admin_client.post("/admin/reporting/target/add/", form)
    assert response.status_code == 302, response.content[:800]
    target = Target.objects.get()
    assert (target.low, target.high) == (Decimal(221000), Decimal("1250000.5"))
    assert target.near_percent == Decimal("2.5")
    # The change page shows them as they would be typed, and sending it back keeps them.
    page = admin_client.get(f"/admin/reporting/target/{target.pk}/change/").content.decode()
    assert 'value="1250000,5"' in page
    response = admin_client.post(
        f"/admin/reporting/target/{target.pk}/change/", {**form, "low": "221000"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.low, target.high) == (Decimal(221000), Decimal("1250000.5"))
