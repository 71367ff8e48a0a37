"""The dashboard's SDMX-JSON export, checked against the SDMX-JSON data message's own rules
(SDMX Technical Working Group, github.com/sdmx-twg/sdmx-json, data-message/docs/1-sdmx-json-
field-guide.md, version 1.0), not against our builder: a JSON Schema written from the field
guide's required fields and identifier patterns, then the guide's rules a schema cannot say
(an observation's key is one index per observation-level dimension, each within its values;
the dimensions' key positions are 0..n-1; a data-set-level component has one value)."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from .approval_support import MONTH, NATIONAL, RATE, TOTAL, YEAR, world  # noqa: F401
from .test_dashboard import page, with_figures

ID = "^[A-Za-z0-9_@$-]+$"  # the guide's identifier of a message, party or component value
COMPONENT_ID = "^[A-Za-z][A-Za-z0-9_-]*$"
VALUE = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "string", "pattern": ID},
        "name": {"type": "string"},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
    },
}
DIMENSION = {
    "type": "object",
    "required": ["id", "keyPosition", "values"],  # keyPosition: mandatory for dimensions
    "properties": {
        "id": {"type": "string", "pattern": COMPONENT_ID},
        "keyPosition": {"type": "integer", "minimum": 0},
        "values": {"type": "array", "items": VALUE},
    },
}
LEVELS = {
    level: {"type": "array", "items": DIMENSION} for level in ("dataSet", "series", "observation")
}
SCHEMA = {
    "type": "object",
    "required": ["meta", "data"],
    "not": {"required": ["errors"]},  # data and errors must not coexist
    "properties": {
        "meta": {
            "type": "object",
            "required": ["id", "prepared", "sender"],
            "properties": {
                "id": {"type": "string", "pattern": ID},
                "test": {"type": "boolean"},
                "prepared": {"type": "string", "format": "date-time"},
                "sender": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "string", "pattern": ID}},
                },
            },
        },
        "data": {
            "type": "object",
            "required": ["structure", "dataSets"],
            "properties": {
                "structure": {
                    "type": "object",
                    "required": ["dimensions", "attributes"],
                    "properties": {
                        "dimensions": {"type": "object", "properties": LEVELS},
                        "attributes": {"type": "object"},
                    },
                },
                "dataSets": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {
                            "action": {"enum": ["Append", "Replace", "Delete", "Information"]},
                            "observations": {
                                "type": "object",
                                "propertyNames": {"pattern": "^[0-9]+(:[0-9]+)*$"},
                                "additionalProperties": {
                                    "type": "array",
                                    "minItems": 1,
                                    "prefixItems": [{"type": ["number", "null"]}],
                                },
                            },
                        },
                        # Flat observations or series, never both.
                        "not": {"required": ["series", "observations"]},
                    },
                },
            },
        },
    },
}
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")  # with a zone


def check_message(message: dict) -> dict:
    """The schema, then the guide's rules on keys; {dimension id: value id} per observation."""
    jsonschema.Draft202012Validator(SCHEMA).validate(message)
    assert DATE_TIME.match(message["meta"]["prepared"]), "ISO 8601 with its time zone"
    dimensions = message["data"]["structure"]["dimensions"]
    every = [d for level in ("dataSet", "series", "observation") for d in dimensions[level]]
    assert sorted(d["keyPosition"] for d in every) == list(range(len(every)))
    assert all(len(d["values"]) == 1 for d in dimensions["dataSet"])
    fixed = {d["id"]: d["values"][0]["id"] for d in dimensions["dataSet"]}
    at_observation = dimensions["observation"]
    rows = []
    for data_set in message["data"]["dataSets"]:
        for key, (value, *_rest) in data_set["observations"].items():
            indices = [int(i) for i in key.split(":")]
            assert len(indices) == len(at_observation)
            row = dict(fixed)
            for dimension, index in zip(at_observation, indices, strict=True):
                assert index < len(dimension["values"])
                row[dimension["id"]] = dimension["values"][index]["id"]
            rows.append((row, value))
    return rows


@pytest.fixture
def w(world, django_user_model):  # noqa: F811
    return with_figures(world, django_user_model)


def test_the_sdmx_json_export_follows_the_data_messages_rules(w, client):
    response = page(client, w.people.app_c, "/reporting/dashboard/", format="sdmx")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert ".sdmx.json" in response["Content-Disposition"]
    message = json.loads(response.content)
    rows = check_message(message)
    dimensions = {
        d["id"] for level in message["data"]["structure"]["dimensions"].values() for d in level
    }
    assert dimensions == {"REF_AREA", "INDICATOR", "TIME_PERIOD"}
    values = {row["INDICATOR"]: value for row, value in rows}
    assert values[TOTAL] == 407 and values[NATIONAL] == 3.1 and RATE in values
    assert {(row["REF_AREA"], row["TIME_PERIOD"]) for row, _v in rows} == {
        ("VN", f"{YEAR}-{MONTH:02d}")
    }
    # The period's window as the regime counts it (Decree 09: 15/02 to 14/03, local time).
    period = message["data"]["structure"]["dimensions"]["dataSet"][1]["values"][0]
    assert period["start"] == "2025-02-15T00:00:00+07:00"
    assert period["end"] == "2025-03-14T23:59:59+07:00"


def test_a_provinces_area_is_its_code_as_an_sdmx_identifier(w, client):
    url = f"/reporting/dashboard/{w.p.code}/"
    message = json.loads(page(client, w.people.app_p, url, format="sdmx").content)
    rows = check_message(message)
    assert {row["REF_AREA"] for row, _v in rows} == {w.p.code.replace(".", "_")}
    values = {row["INDICATOR"]: value for row, value in rows}
    assert values[TOTAL] == 400 and NATIONAL not in values  # no figure: no observation


def test_the_check_refuses_a_message_that_breaks_the_rules(w, client):
    """The checks can fail: an identifier with a dot, a missing sender, a key out of range."""
    good = json.loads(page(client, w.people.app_c, "/reporting/dashboard/", format="sdmx").content)
    for spoil in (
        lambda m: m["data"]["structure"]["dimensions"]["dataSet"][0]["values"][0].update(
            id="000.00.00.H26"
        ),
        lambda m: m["meta"].pop("sender"),
        lambda m: m["data"]["dataSets"][0]["observations"].update({"99": [1]}),
        lambda m: m["data"]["structure"]["dimensions"]["observation"][0].pop("keyPosition"),
    ):
        bad = json.loads(json.dumps(good))
        spoil(bad)
        with pytest.raises((AssertionError, jsonschema.ValidationError)):
            check_message(bad)
