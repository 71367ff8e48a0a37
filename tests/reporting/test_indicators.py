"""The indicators loaded by migration 0002 and the rules an indicator must keep."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from egov.reporting.models import Aggregation, Field, Indicator, IndicatorLevel, ValueType

DATA = Path(__file__).resolve().parents[2] / "src/egov/reporting/data/indicators.json"
RECORDS = json.loads(DATA.read_text(encoding="utf-8"))["indicators"]

pytestmark = pytest.mark.django_db


def test_every_indicator_of_the_data_set_is_loaded_and_valid():
    assert Indicator.objects.count() == len(RECORDS)
    for indicator in Indicator.objects.all():
        indicator.full_clean()
    assert set(Indicator.objects.values_list("field", flat=True)) <= set(Field.values)


def test_the_rules_follow_the_data_set():
    by_key = {r["id"]: r for r in RECORDS}
    for indicator in Indicator.objects.all():
        record = by_key[indicator.key]
        expected = {"none": Aggregation.NATIONAL_ONLY}.get(record["aggregation"])
        assert indicator.aggregation == (expected or record["aggregation"])
        assert indicator.levels == record["levels"]
        assert indicator.unit == record["unit"]
        assert indicator.sources == record["source"]


def test_gdp_keeps_its_official_code_and_is_never_summed():
    gdp = Indicator.objects.get(key="gdp_current")
    assert gdp.code == "0501"
    assert gdp.aggregation == Aggregation.NATIONAL_ONLY
    assert gdp.field == Field.ECONOMIC_GROWTH
    assert Indicator.objects.get(key="unemployment_rate").value_type == ValueType.PERCENTAGE


def _indicator(**changes):
    values = dict(
        key="test_x",
        name="Chỉ tiêu thử",
        field=Field.SOCIAL,
        unit="người",
        periodicity="month",
        levels=[IndicatorLevel.PROVINCE],
        aggregation=Aggregation.SUM,
    )
    values.update(changes)
    return Indicator(**values)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"levels": []}, "levels"),
        ({"levels": ["district"]}, "levels"),
        ({"aggregation": Aggregation.FORMULA}, "formula"),
        (
            {"valid_from": "2026-01-01", "valid_to": "2025-01-01"},
            "valid_to",
        ),
    ],
)
def test_a_broken_indicator_is_refused(changes, field):
    with pytest.raises(ValidationError) as refused:
        _indicator(**changes).full_clean()
    assert field in refused.value.message_dict


def test_a_good_indicator_passes():
    _indicator(aggregation=Aggregation.FORMULA, formula="exports - imports").full_clean()


def test_weights_named_by_the_data_sets_notes():
    weighted = Indicator.objects.filter(weight__isnull=False).select_related("weight")
    pairs = {i.key: i.weight.key for i in weighted}
    assert pairs["unemployment_rate"] == "labour_force"
    assert pairs["svc_online_dossier_rate"] == "svc_dossiers_received"
    for indicator in weighted:
        assert indicator.aggregation == Aggregation.WEIGHTED
        # a weight is a quantity that adds up, so that the weighted average can be rebuilt
        assert indicator.weight.aggregation == Aggregation.SUM
        assert set(indicator.levels) <= set(indicator.weight.levels) | {"national"}
