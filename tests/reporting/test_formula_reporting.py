"""A formula indicator in a regime is computed, never reported: the web form and the .xlsx
template have no line for it, and a value for it through the JSON API or a DHIS2 import is
refused in Vietnamese with nothing written (every way in goes through services.submissions)."""

import io

import pytest
from openpyxl import load_workbook

from egov.core.models import AuditEntry
from egov.reporting.models import Aggregation, DataValue, Field, Indicator, Submission
from egov.reporting.services import xlsx
from egov.reporting.services.indicators import save_indicator

from .form_support import report_url
from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR

FORMULA = "test_online_received"
REFUSED = "được tính theo công thức"


@pytest.fixture
def f(w):
    formula = save_indicator(
        Indicator(
            key=FORMULA,
            name="Số hồ sơ nhận trực tuyến",
            field=Field.PUBLIC_ADMINISTRATION,
            unit="hồ sơ",
            periodicity="month",
            levels=["national", "province", "commune"],
            aggregation=Aggregation.FORMULA,
            formula=f"{TOTAL} * {RATE} / 100",
        ),
        actor="test",
    )
    w.regime.indicators.add(formula)
    return w


def _nothing_written():
    assert not Submission.objects.exists() and not DataValue.objects.exists()
    assert not AuditEntry.objects.filter(action="reporting.submitted").exists()


@pytest.mark.django_db
def test_the_web_form_has_no_line_for_a_formula(f):
    response = f.client.get(report_url(f.regime, f.t.a))
    assert response.status_code == 200
    names = {line.name for line in response.context["form"].lines}
    assert names == {f"v-{k}" for k in (TOTAL, RATE, ON_TIME)}
    assert f'name="v-{FORMULA}"' not in response.content.decode()


@pytest.mark.django_db
def test_the_xlsx_template_has_no_row_for_a_formula(f):
    response = f.client.get(report_url(f.regime, f.t.a, "template.xlsx"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))[xlsx.SHEET]
    keys = {ws.cell(row=r, column=1).value for r in range(xlsx.FIRST_ROW, ws.max_row + 1)}
    assert keys - {None} == {f"v-{k}" for k in (TOTAL, RATE, ON_TIME)}


@pytest.mark.django_db
def test_the_json_api_refuses_a_value_for_a_formula(f):
    values = [
        {"indicator": TOTAL, "value": "120"},
        {"indicator": RATE, "value": "45.5"},
        {"indicator": FORMULA, "value": "54.6"},
    ]
    data = {
        "regime": f.regime.code,
        "organisation": f.t.a.code,
        "year": YEAR,
        "number": MONTH,
        "values": values,
    }
    response = f.client.post(
        "/api/v1/reporting/submissions/",
        data,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 400
    assert REFUSED in str(response.json()) and "Số hồ sơ nhận trực tuyến" in str(response.json())
    _nothing_written()
    # Without it the same report is taken.
    data["values"] = values[:2]
    assert (
        f.client.post(
            "/api/v1/reporting/submissions/", data, content_type="application/json"
        ).status_code
        == 201
    )


@pytest.mark.django_db
def test_a_dhis2_import_of_a_formula_is_a_conflict(f):
    document = {
        "dataSet": f.regime.code,
        "period": f"{YEAR}{MONTH:02d}",
        "orgUnit": f.t.a.code,
        "dataValues": [
            {"dataElement": TOTAL, "value": "120"},
            {"dataElement": FORMULA, "value": "54.6"},
        ],
    }
    response = f.client.post(
        "/api/v1/reporting/data-value-sets/",
        document,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    summary = response.json()
    assert response.status_code == 409 and summary["status"] == "ERROR"
    assert any(REFUSED in c["value"] for c in summary["conflicts"])
    _nothing_written()
