"""Shared pieces of the form, .xlsx and signing tests: a reporter of commune A, the report's
URLs, and February's values sent before March's (the previous period beside each field)."""

from __future__ import annotations

from egov.reporting.services.submissions import Entry, submit

from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR


def report_url(regime, organisation, tail="", year=YEAR, number=MONTH):
    return f"/reporting/{regime.code}/{organisation.code}/{year}/{number}/{tail}"


def send(reporter, regime, organisation, number=MONTH, values=("120", "45.5", "40"), **kw):
    entries = [Entry(k, v) for k, v in zip((TOTAL, RATE, ON_TIME), values, strict=True) if v]
    return submit(
        actor=reporter,
        regime=regime,
        organisation=organisation,
        year=YEAR,
        number=number,
        entries=entries,
        **kw,
    )
