"""The monthly report of a ministry: as the tasks stood at the month's end, .xlsx and signed PDF."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from egov.assignments import monthly, services
from egov.assignments.status import Category
from egov.core.signing import ensure_ca
from egov.core.signing.pdf import verify_pdf

from .conftest import make_task

pytestmark = pytest.mark.django_db
RESULT = services.DocumentRef("45/TTr-BTC", date(2026, 3, 20))


@pytest.fixture(scope="session")
def shared_pki(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("assignments") / "pki"
    with override_settings(EGOV_PKI_DIR=directory, EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
    return directory


def _month(world):
    done = make_task(world, deadline=date(2026, 3, 31))
    services.report_completion(world.lead_officer.user, done, text="Xong", result=RESULT)
    services.accept(world.clerk.user, done, on=date(2026, 3, 30))
    make_task(world, deadline=date(2026, 3, 20))  # overdue at the end of March
    late_later = make_task(world, deadline=date(2026, 3, 25))
    services.report_completion(world.lead_officer.user, late_later, text="Xong", result=RESULT)
    services.accept(world.clerk.user, late_later, on=date(2026, 4, 3))  # after the month
    make_task(world, deadline=None, deadline_kind="ongoing")
    make_task(world, lead=world.m2, coordinators=[], responsible=None)  # another ministry
    return monthly.build(world.m1, 2026, 3)


def test_as_the_tasks_stood_at_the_month_end(world):
    report = _month(world)
    assert report.totals.total == 4
    assert report.totals.count(Category.ON_TIME) == 1
    assert report.totals.count(Category.OVERDUE) == 2  # one of them accepted only in April
    assert report.totals.count(Category.ONGOING) == 1


def test_xlsx_has_the_counts_as_numbers(world):
    report = _month(world)
    book = load_workbook(io.BytesIO(monthly.xlsx(report)))
    sheet = book.active
    assert "Bộ Tài chính" in sheet["A1"].value
    counts = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3, max_row=8)}
    assert counts["Chưa hoàn thành, quá hạn"] == 2
    assert counts["Tổng số"] == 4


def test_the_pdf_is_signed_by_the_office(world, settings, shared_pki):
    settings.EGOV_PKI_DIR = shared_pki
    settings.EGOV_PKI_AUTO_CREATE = True
    report = _month(world)
    pdf = monthly.signed_pdf(report, world.office)
    assert pdf.startswith(b"%PDF")
    check = verify_pdf(pdf)
    assert check.valid
