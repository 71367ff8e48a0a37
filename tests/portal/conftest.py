"""Catalogue data for the portal tests, written through the catalogue's own services.

``catalogue`` loads the 39 real procedures of shared/data (the detailed ones published, with the
demo application forms) and a slice of the national index around them (information-only records
that compete in search), then (re)builds the search index.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import transaction

DATA = Path(__file__).resolve().parents[2] / "src" / "egov" / "core" / "demo"
SHARED = Path("/work/shared/data")

# Index records that share words with the example queries ("khai sinh", "hộ chiếu" ...), so that
# the ranking has real competitors.
COMPETING = ("khai sinh", "hộ chiếu", "kết hôn", "thường trú", "giấy phép xây dựng")


def _source(name: str) -> Path:
    for base in (DATA, SHARED):
        if (base / name).exists():
            return base / name
    pytest.skip(f"{name} is not available")


def _channels(record: dict) -> list[dict]:
    channels = []
    for item in record.get("channels") or []:
        fees = [
            {"kind": "fee", "code": "", "amount_vnd": f.get("amount_vnd"), "description": ""}
            for f in item.get("fees_published") or []
            if isinstance(f, dict) and f.get("amount_vnd") is not None
        ]
        days = record.get("working_days")
        channels.append(
            {
                "channel": item["channel"],
                "case": "",
                "time_limit": str(days) if days is not None else None,
                "time_unit": "working_days" if days is not None else "",
                "time_text": "" if days is not None else (item.get("time_published") or "")[:500],
                "description": "",
                "fees": fees,
            }
        )
    return channels


def detailed_content(record: dict) -> dict:
    """The catalogue's content shape (egov.catalog.services.content) of a procedures.json record."""
    from egov.catalog import forms

    online = {"toàn trình": "full", "một phần": "partial"}.get(record.get("online_level") or "")
    if online is None:
        online = "partial" if record.get("online_submission") else "info"
    return {
        "code": record["code"],
        "name": record["name_vi"],
        "sectors": [record["sector_vi"]] if record.get("sector_vi") else [],
        "publishing_agency": {"code": None, "name": record.get("ministry_vi") or ""},
        "published_by_decision": record.get("published_by_decision") or "",
        "implementing_agencies": [
            {"code": None, "name": record["implementing_agency_vi"], "level": record["level"]}
        ]
        if record.get("implementing_agency_vi") and record.get("level")
        else [],
        "levels": [record["level"]] if record.get("level") else [],
        "steps": [],
        "channels": _channels(record),
        "required_documents": [
            {"name": name, "case": "", "originals": 1, "copies": 0, "form_templates": []}
            for name in record.get("required_documents_vi") or []
        ],
        "requirements": "",
        "applicant_types": record.get("subjects_vi") or [],
        "results": [
            {"name": r["name_vi"], "code": r.get("result_code") or ""}
            for r in record.get("results") or []
        ],
        "legal_basis": [{"number": n, "title": ""} for n in record.get("legal_basis") or []],
        "online_level": online,
        "detailed": bool(record.get("channels") and record.get("required_documents_vi")),
        "application_form": forms.form_for(record["code"]),
    }


def index_content(record: dict) -> dict:
    """The content shape for a catalogue-index.jsonl record: information only."""
    return {
        "code": record["code"],
        "name": record["name_vi"][:1000],
        "sectors": record.get("sectors_vi") or [],
        "publishing_agency": {"code": None, "name": record.get("published_by_vi") or ""},
        "implementing_agencies": [
            {"code": None, "name": name, "level": ""}
            for name in record.get("implementing_agencies_vi") or []
        ],
        "online_level": "info",
        "detailed": False,
    }


def load_catalogue(index_limit: int | None = 60) -> dict:
    from egov.catalog.models import Procedure
    from egov.catalog.search import rebuild_index
    from egov.catalog.services import versions

    detailed = json.loads(_source("procedures.json").read_text())["procedures"]
    created = set()
    for record in detailed:
        content = detailed_content(record)
        version = versions.create_procedure(content)
        if content["detailed"]:
            versions.publish(version, effective_from=dt.date(2026, 1, 1))
        created.add(record["code"])
    picked = 0
    for line in _source("catalogue-index.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["code"] in created:
            continue
        competing = any(word in record["name_vi"].lower() for word in COMPETING)
        if not competing and (index_limit is None or picked >= index_limit):
            continue
        versions.create_procedure(index_content(record))
        created.add(record["code"])
        picked += 0 if competing else 1
    rebuild_index()
    return {p.code: p for p in Procedure.objects.all()}


@pytest.fixture(scope="package")
def _catalogue_loaded(django_db_setup, django_db_blocker):
    """The catalogue, written once for the portal's tests inside a transaction that is rolled
    back after the last of them: each test's own transaction is a savepoint inside it (loading
    takes ~2 s, and once per test it was most of the portal tests' time). A test here that needs
    transaction=True cannot use it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_catalogue()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def catalogue(_catalogue_loaded, db):
    from egov.catalog.models import Procedure

    return {p.code: p for p in Procedure.objects.all()}
