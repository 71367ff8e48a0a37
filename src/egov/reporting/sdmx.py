"""The dashboard's figures as an SDMX-JSON data message (version 1.0 of the SDMX Technical
Working Group's format, github.com/sdmx-twg/sdmx-json, data-message/docs), so that one regime's
period can move to a statistical system that reads SDMX.

The message is a flat view (``dimensionAtObservation=AllDimensions``) of three dimensions, in key
order: REF_AREA (the organisation, or the nation "VN"), INDICATOR (the indicator's key) and
TIME_PERIOD (the period in SDMX's notation: 2025-03, 2025-Q1, 2025-S1, 2025). The two with a
single value, the area and the period, are given at the data set level as the format
recommends; the indicators at the observation level, each observation keyed by its indicator's
index ("0", "1"...) with its value as a JSON number. Only figures with a value are sent (the
format's null stands for a value reported missing, which an unapproved figure is not).

SDMX identifiers allow letters, digits and ``_@$-`` only: an organisation's code's dots become
underscores (000.00.01.H26 -> 000_00_01_H26; codes carry no underscore, so the change is
reversible), and its name goes with it. A period's start and end are its window as the regime
counts it (Decree 09's cut-offs or calendar periods), in local time.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from . import builtin
from .models import RegimeKind

SCHEMA = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/"
    "data-message/tools/schemas/1.0/sdmx-json-data-schema.json"
)
SDMX_PERIOD = {"month": "{y}-{n:02d}", "quarter": "{y}-Q{n}", "half": "{y}-S{n}", "year": "{y}"}
SENDER = {"id": "EGOV_VN", "name": "egov"}


def sdmx_id(code: str) -> str:
    return code.replace(".", "_")


def time_period(regime, year: int, number: int) -> str:
    pattern = SDMX_PERIOD.get(regime.periodicity) if regime.kind == RegimeKind.PERIODIC else None
    return (pattern or "{y}").format(y=year, n=number)


def _number(value: Decimal) -> int | float:
    """A JSON number: exact for whole figures, a float (the format's Number) otherwise."""
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def message(board: dict) -> dict:
    regime, where = board["regime"], board["organisation"]
    area = sdmx_id(where.code) if where else "VN"
    period = time_period(regime, board["year"], board["number"])
    lines = [
        line for section in board["sections"] for line in section.lines if line.value is not None
    ]
    span = builtin.bounds(regime, board["year"], board["number"])
    period_value = {"id": period, "name": board["period"]}
    if span:
        start, end = span
        period_value["start"] = timezone.localtime(start).isoformat()
        period_value["end"] = timezone.localtime(end - timedelta(seconds=1)).isoformat()
    prepared = timezone.localtime(timezone.now()).replace(microsecond=0)
    return {
        "meta": {
            "schema": SCHEMA,
            "id": sdmx_id(f"{regime.code}-{area}-{period}"),
            "test": False,
            "prepared": prepared.isoformat(),
            "content-language": ["vi"],
            "sender": SENDER,
        },
        "data": {
            "structure": {
                "name": regime.name,
                "dimensions": {
                    "dataSet": [
                        {
                            "id": "REF_AREA",
                            "name": "Reference area",
                            "keyPosition": 0,
                            "role": "REF_AREA",
                            "values": [{"id": area, "name": where.name if where else "Việt Nam"}],
                        },
                        {
                            "id": "TIME_PERIOD",
                            "name": "Time period",
                            "keyPosition": 2,
                            "role": "TIME_PERIOD",
                            "values": [period_value],
                        },
                    ],
                    "series": [],
                    "observation": [
                        {
                            "id": "INDICATOR",
                            "name": "Indicator",
                            "keyPosition": 1,
                            "values": [
                                {
                                    "id": line.indicator.key,
                                    "name": line.indicator.name,
                                    "description": line.indicator.unit,
                                }
                                for line in lines
                            ],
                        }
                    ],
                },
                "attributes": {"dataSet": [], "series": [], "observation": []},
            },
            "dataSets": [
                {
                    "action": "Information",
                    "observations": {str(i): [_number(line.value)] for i, line in enumerate(lines)},
                }
            ],
        },
    }
