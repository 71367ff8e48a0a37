"""Load the 57 indicators of ``data/indicators.json``.

Source: a copy of the team's shared data set (shared/data/indicators.json, compiled 2026-11-28;
its README "indicators.json" section): names, units and periodicity as the statistics office
(NSO) and the public-service systems (QĐ 766/QĐ-TTg) publish them, each with its own sources,
kept in ``Indicator.sources``. Its aggregation rule is the data set's modelling rule, not an
official one: ``sum``; ``weighted`` (a rate recomputed from numerator and denominator: the weight
indicator is left for an administrator to name); ``none`` (only the compiling body's figure is
valid), loaded as NATIONAL_ONLY. Only ``0501`` (GDP) has a known official code.

The data set's 11 groups are mapped to the Government's nine fields below; the group is kept.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "indicators.json"

FIELD_BY_GROUP = {
    "Tài khoản quốc gia": "economic_growth",
    "Giá cả": "macro_stability",
    "Công nghiệp": "economic_growth",
    "Thương mại, dịch vụ, du lịch": "economic_growth",
    "Đầu tư": "economic_growth",
    "Doanh nghiệp": "business_environment",
    "Ngân sách, tiền tệ": "public_finance",
    "Dân số, lao động, xã hội": "social",
    "Nông, lâm nghiệp và thủy sản": "economic_growth",
    "Cải cách hành chính, dịch vụ công (Bộ chỉ số QĐ 766/QĐ-TTg)": "public_administration",
    "Chỉ số đánh giá cấp tỉnh (năm)": "public_administration",
}
# Where one group spans two fields.
FIELD_BY_KEY = {
    "credit_growth": "macro_stability",
    "usd_vnd_central_rate": "macro_stability",
    "labour_force": "labour",
    "unemployment_rate": "labour",
    "underemployment_rate": "labour",
    "avg_monthly_income": "labour",
    "social_insurance_participants": "labour",
    "pii": "infrastructure",  # the provincial innovation index
}
AGGREGATION = {"sum": "sum", "weighted": "weighted", "none": "national_only"}


def _value_type(unit):
    if unit.startswith("%"):
        return "percentage"
    if unit in ("doanh nghiệp", "dự án", "hồ sơ", "người", "lượt người"):
        return "integer"
    return "number"


def load(apps, schema_editor):
    Indicator = apps.get_model("reporting", "Indicator")
    records = json.loads(DATA.read_text(encoding="utf-8"))["indicators"]
    Indicator.objects.bulk_create(
        Indicator(
            key=r["id"],
            code=r["code"] or "",
            name=r["name_vi"],
            name_en=r["name_en"],
            field=FIELD_BY_KEY.get(r["id"], FIELD_BY_GROUP[r["group_vi"]]),
            group=r["group_vi"],
            unit=r["unit"],
            value_type=_value_type(r["unit"]),
            periodicity=r["periodicity"],
            levels=r["levels"],
            aggregation=AGGREGATION[r["aggregation"]],
            aggregation_note=r["aggregation_note"] or "",
            sources=r["source"],
        )
        for r in records
    )


def unload(apps, schema_editor):
    Indicator = apps.get_model("reporting", "Indicator")
    records = json.loads(DATA.read_text(encoding="utf-8"))["indicators"]
    Indicator.objects.filter(key__in=[r["id"] for r in records]).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
