"""A monthly commune regime with three public-service indicators and two rules, for the tests."""

from __future__ import annotations

from egov.reporting.models import Indicator, Operator, Severity, ValidationRule
from egov.reporting.services.regimes import create_regime

TOTAL = "svc_dossiers_received"
RATE = "svc_online_dossier_rate"
ON_TIME = "svc_on_time_rate"
YEAR, MONTH = 2025, 3  # long cut off


def make_regime(*organisations, code="dvc-thang"):
    indicators = Indicator.objects.filter(key__in=[TOTAL, RATE, ON_TIME])
    regime = create_regime(
        actor="test",
        code=code,
        name="Báo cáo tình hình giải quyết thủ tục hành chính hằng tháng",
        kind="periodic",
        periodicity="month",
        stages={"commune": 2, "province": 5},
        indicators=indicators,
        organisations=organisations,
    )
    by_key = {i.key: i for i in indicators}
    ValidationRule.objects.create(
        regime=regime, name="Số hồ sơ phải có", left=by_key[TOTAL], operator=Operator.REQUIRED
    )
    ValidationRule.objects.create(
        regime=regime,
        name="Tỷ lệ đúng hạn không quá tỷ lệ trực tuyến",  # an odd rule: only a warning
        left=by_key[ON_TIME],
        operator=Operator.LESS_OR_EQUAL,
        right=by_key[RATE],
        severity=Severity.WARNING,
    )
    ValidationRule.objects.create(
        regime=regime,
        name="Tỷ lệ không quá 100%",
        left=by_key[RATE],
        operator=Operator.LESS_OR_EQUAL,
        right=by_key[TOTAL],
        severity=Severity.BLOCKING,
    )
    return regime


def body(regime, organisation, **changes):
    data = {
        "regime": regime.code,
        "organisation": organisation.code,
        "year": YEAR,
        "number": MONTH,
        "values": [
            {"indicator": TOTAL, "value": "120"},
            {"indicator": RATE, "value": "45.5"},
            {"indicator": ON_TIME, "value": "40"},
        ],
    }
    data.update(changes)
    return data
