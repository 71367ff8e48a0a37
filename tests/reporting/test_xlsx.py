"""The .xlsx template: downloaded per regime, organisation and period, filled in, uploaded and
checked cell by cell (errors against 'Báo cáo'!G7...), nothing written unless all is valid;
checked by content; through the pages and the API (multipart)."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from egov.core.models import AuditEntry
from egov.reporting.models import DataValue, Submission
from egov.reporting.services import xlsx

from ..accounts.officials_support import make_official
from .form_support import report_url, send
from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR

API = "/api/v1/reporting/xlsx/"


def _template(w, organisation=None):
    response = w.client.get(report_url(w.regime, organisation or w.t.a, "template.xlsx"))
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(response.content))


def _rows(wb) -> dict[str, int]:
    ws = wb[xlsx.SHEET]
    return {
        ws.cell(row=r, column=1).value: r
        for r in range(xlsx.FIRST_ROW, ws.max_row + 1)
        if ws.cell(row=r, column=1).value
    }


def _filled(wb, **values) -> bytes:
    rows, ws = _rows(wb), wb[xlsx.SHEET]
    for key, value in values.items():
        ws.cell(row=rows[f"v-{key}"], column=7, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(w, content, name="bao-cao.xlsx", **extra):
    data = {"file": io.BytesIO(content), **extra}
    data["file"].name = name
    return w.client.post(report_url(w.regime, w.t.a, "upload/"), data)


def test_the_template_names_the_report_and_last_months_values(w):
    send(w.reporter, w.regime, w.t.a, number=MONTH - 1, values=("98", "41.25", ""))
    wb = _template(w)
    ws = wb[xlsx.SHEET]
    assert ws["B2"].value == "Xã A" and "Tháng 3/2025" in ws["B3"].value
    rows = _rows(wb)
    assert set(rows) == {f"v-{k}" for k in (TOTAL, RATE, ON_TIME)}
    assert ws.cell(row=rows[f"v-{TOTAL}"], column=6).value == 98  # the previous period
    assert ws.column_dimensions["A"].hidden and wb[xlsx.META].sheet_state == "hidden"


def test_a_filled_template_is_checked_and_sent(w):
    content = _filled(_template(w), **{TOTAL: 120, RATE: 45.5, ON_TIME: "40"})
    response = _upload(w, content)
    assert response.status_code == 302, response.content.decode()[-3000:]
    values = dict(DataValue.objects.values_list("indicator__key", "value"))
    assert {k: str(v) for k, v in values.items()} == {
        TOTAL: "120.000000",
        RATE: "45.500000",
        ON_TIME: "40.000000",
    }
    assert AuditEntry.objects.filter(action="reporting.submitted").count() == 1


def test_wrong_cells_are_named_and_nothing_is_written(w):
    wb = _template(w)
    rows = _rows(wb)
    content = _filled(wb, **{TOTAL: 12.5, RATE: "abc"})
    response = _upload(w, content)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"&#x27;Báo cáo&#x27;!G{rows[f'v-{TOTAL}']}" in html  # the cell, as Excel names it
    assert f"!G{rows[f'v-{RATE}']}" in html and "số nguyên" in html
    assert "không được chấp nhận" in html
    assert not Submission.objects.exists() and not DataValue.objects.exists()


def test_a_broken_rule_is_shown_at_its_indicators_cell(w):
    wb = _template(w)
    row = _rows(wb)[f"v-{RATE}"]
    response = _upload(w, _filled(wb, **{TOTAL: 10, RATE: 45}))
    assert response.status_code == 400
    assert f"!G{row}" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7 not a workbook",
        b"TOTAL,RATE\n120,45\n",
        b"PK\x03\x04 a broken zip",
        "zip without a workbook",
    ],
)
def test_a_file_that_is_not_xlsx_is_refused_clearly(w, content):
    if isinstance(content, str):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "xin chào")
        content = buf.getvalue()
    response = _upload(w, content, name="bao-cao.xlsx")  # the name says .xlsx: the content not
    assert response.status_code == 400
    assert "không phải là bảng tính Excel" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_template_of_another_organisation_is_refused(w):
    other = make_official("rep_b", w.t.b, "reporter")
    w.client.force_login(other.user)
    content = _filled(_template(w, w.t.b), **{TOTAL: 120})
    w.client.force_login(w.reporter)
    response = _upload(w, content)
    assert response.status_code == 400
    assert "không phải là mẫu của báo cáo này" in response.content.decode()
    assert not Submission.objects.exists()


def test_an_organisation_not_yours_gets_no_template(w):
    assert w.client.get(report_url(w.regime, w.t.b, "template.xlsx")).status_code in (403, 404)
    assert _upload_to(w, w.t.b).status_code in (403, 404)


def _upload_to(w, organisation):
    data = {"file": io.BytesIO(b"PK\x03\x04")}
    return w.client.post(report_url(w.regime, organisation, "upload/"), data)


def test_the_api_takes_the_template_and_the_upload(w):
    query = {"regime": w.regime.code, "organisation": w.t.a.code, "year": YEAR, "number": MONTH}
    template = w.client.get(API, query)
    assert template.status_code == 200
    wb = load_workbook(io.BytesIO(template.content))
    bad = io.BytesIO(_filled(wb, **{TOTAL: "mười"}))
    bad.name = "x.xlsx"
    refused = w.client.post(API, {**query, "file": bad}, HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 400
    assert "!G" in refused.json()["fields"]["cells"][0]
    assert not Submission.objects.exists()
    good = io.BytesIO(_filled(wb, **{TOTAL: 120, RATE: 45.5, ON_TIME: 40}))
    good.name = "x.xlsx"
    sent = w.client.post(API, {**query, "file": good})
    assert sent.status_code == 201, sent.content
    assert len(sent.json()["values"]) == 3


def test_the_api_refuses_a_file_that_is_not_xlsx(w):
    query = {"regime": w.regime.code, "organisation": w.t.a.code, "year": YEAR, "number": MONTH}
    pdf = io.BytesIO(b"%PDF-1.4")
    pdf.name = "x.xlsx"
    response = w.client.post(API, {**query, "file": pdf}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "Excel" in response.json()["message"]
    assert not Submission.objects.exists()


def test_the_api_refuses_a_closed_period_and_another_organisation(w):
    query = {"regime": w.regime.code, "organisation": w.t.a.code, "year": 2099, "number": 1}
    assert w.client.get(API, query).status_code == 400
    query = {"regime": w.regime.code, "organisation": w.t.q.code, "year": YEAR, "number": MONTH}
    assert w.client.get(API, query).status_code == 403


def test_a_date_or_a_foreign_row_is_named_by_its_cell(w):
    import datetime as dt

    wb = _template(w)
    rows, ws = _rows(wb), wb[xlsx.SHEET]
    ws.cell(row=rows[f"v-{TOTAL}"], column=7, value=dt.date(2025, 3, 1))
    extra = ws.max_row + 1
    ws.cell(row=extra, column=1, value="v-gdp_current")
    ws.cell(row=extra, column=7, value=1)
    out = io.BytesIO()
    wb.save(out)
    html = _upload(w, out.getvalue()).content.decode()
    assert f"!G{rows[f'v-{TOTAL}']}</code>: Nhập một số." in html
    assert f"!A{extra}</code>: Dòng này không phải là một dòng của mẫu." in html
    assert not Submission.objects.exists()


def test_an_empty_upload_is_refused(w):
    response = w.client.post(report_url(w.regime, w.t.a, "upload/"), {})
    assert response.status_code == 400 and "Chọn tệp mẫu" in response.content.decode()
    assert not Submission.objects.exists()
