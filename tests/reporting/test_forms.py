"""The web form: generated from the regime for an organisation and period, with units and the
previous period's values; checked on the server with the API's checks (also as one types, with
htmx); in Vietnamese; without JavaScript; nothing written on a refusal."""

import re

import pytest

from egov.core.models import AuditEntry
from egov.reporting.models import (
    Category,
    CategoryCombo,
    CategoryOption,
    DataValue,
    Indicator,
    Submission,
)

from ..accounts.officials_support import make_official
from .form_support import report_url, send
from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR, make_regime


def _field(name):
    return f"v-{name}"


def _post(w, tail="", **values):
    data = {_field(k): v for k, v in values.items() if k != "confirm_warnings"}
    if "confirm_warnings" in values:
        data["confirm_warnings"] = "1"
    return w.client.post(report_url(w.regime, w.t.a, tail), data)


def test_the_form_shows_units_and_last_months_values(w, django_assert_max_num_queries):
    send(w.reporter, w.regime, w.t.a, number=MONTH - 1, values=("98", "41.25", ""))
    with django_assert_max_num_queries(20):
        response = w.client.get(report_url(w.regime, w.t.a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Xã A" in html and "Tháng 3/2025" in html
    assert f'name="{_field(TOTAL)}"' in html and f'name="{_field(RATE)}"' in html
    assert ">98<" in html and ">41,25<" in html  # February's values beside the fields
    assert "Hồ sơ" in html or "hồ sơ" in html  # a unit, by name
    assert 'hx-post="' in html and "check/" in html  # htmx checks as one types
    assert 'method="post"' in html  # and the form posts without it


def test_sending_the_form_saves_and_audits(w):
    response = _post(w, **{TOTAL: "120", RATE: "45,5", ON_TIME: "40"})
    assert response.status_code == 302
    values = dict(DataValue.objects.values_list("indicator__key", "value"))
    assert str(values[RATE]) == "45.500000"  # the decimal comma as Vietnamese writes it
    assert AuditEntry.objects.filter(action="reporting.submitted").count() == 1
    page = w.client.get(response.url).content.decode()
    assert "Đã gửi" in page or "đã gửi" in page.lower()


def test_bad_values_are_shown_against_their_fields_and_nothing_is_written(w):
    response = _post(w, **{TOTAL: "12.5", RATE: "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html and "số nguyên" in html and "không phải là số" in html
    assert 'value="abc"' in html  # what was typed stays
    assert "govuk-error-summary" in html and 'href="#f-' in html  # listed, linked to the fields
    assert (
        not Submission.objects.exists()
        and not AuditEntry.objects.filter(action="reporting.submitted").exists()
    )


def test_a_blocking_rule_is_shown_at_its_indicator(w):
    response = _post(w, **{TOTAL: "10", RATE: "45"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tỷ lệ không quá 100%" in html
    assert not Submission.objects.exists()


def test_warnings_are_confirmed_with_a_checkbox(w):
    values = {TOTAL: "120", RATE: "30", ON_TIME: "90"}
    first = _post(w, **values)
    assert first.status_code == 400 and 'name="confirm_warnings"' in first.content.decode()
    assert not Submission.objects.exists()
    assert _post(w, **values, confirm_warnings="1").status_code == 302
    assert Submission.objects.get().warnings


def test_checking_as_one_types_writes_nothing(w):
    response = _post(w, "check/", **{TOTAL: "12.5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in html and "số nguyên" in html
    assert "<input" not in html  # the inputs are never replaced while one types
    assert 'id="check-summary" hx-swap-oob="true"' in html and 'href="#f-' in html
    ok = _post(w, "check/", **{TOTAL: "120", RATE: "45", ON_TIME: "40"})
    assert "govuk-error-message" not in ok.content.decode()
    assert not Submission.objects.exists()


def test_an_organisation_not_yours(w):
    assert w.client.get(report_url(w.regime, w.t.b)).status_code in (403, 404)
    assert _post_other(w).status_code in (403, 404)
    other = make_official("rep_q", w.t.q, "reporter")
    w.client.force_login(other.user)
    assert w.client.get(report_url(w.regime, w.t.a)).status_code == 404
    assert not Submission.objects.exists()


def _post_other(w):
    return w.client.post(report_url(w.regime, w.t.b), {_field(TOTAL): "1"})


@pytest.mark.parametrize(("year", "number"), [(2099, 1), (YEAR, 13)])
def test_a_period_not_open_is_refused_in_vietnamese(w, year, number):
    url = report_url(w.regime, w.t.a, year=year, number=number)
    response = w.client.post(url, {_field(TOTAL): "1"})
    assert response.status_code == 400
    assert re.search("chưa|không có", response.content.decode(), re.IGNORECASE)
    assert not Submission.objects.exists()


def test_the_index_lists_the_reports_to_submit(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        html = w.client.get("/reporting/").content.decode()
    assert w.regime.name in html and "Xã A" in html and "Xã B" not in html


def _by_sex(indicator_key):
    sex = Category.objects.create(code="sex", name="Giới tính")
    CategoryOption.objects.create(category=sex, code="male", name="Nam", order=1)
    CategoryOption.objects.create(category=sex, code="female", name="Nữ", order=2)
    combo = CategoryCombo.objects.create(code="by-sex", name="Theo giới tính")
    combo.categories.add(sex)
    Indicator.objects.filter(key=indicator_key).update(disaggregation=combo)


def test_a_disaggregated_indicator_has_a_field_per_option(w):
    _by_sex(TOTAL)
    html = w.client.get(report_url(w.regime, w.t.a)).content.decode()
    assert f'name="v-{TOTAL}--male"' in html and f'name="v-{TOTAL}--female"' in html
    assert "(Nam)" in html and "(Nữ)" in html
    data = {f"v-{TOTAL}--male": "70", f"v-{TOTAL}--female": "50", _field(RATE): "45"}
    assert w.client.post(report_url(w.regime, w.t.a), data).status_code == 302
    saved = dict(DataValue.objects.values_list("disaggregation", "value"))
    assert saved["male"] == 70 and saved["female"] == 50
    # The rules compare totals: 45 <= 70 + 50 holds; 45 <= 20 + 10 does not.
    data = {f"v-{TOTAL}--male": "20", f"v-{TOTAL}--female": "10", _field(RATE): "45"}
    assert w.client.post(report_url(w.regime, w.t.a), data).status_code == 400


def test_the_index_stays_within_its_queries_with_more_regimes(w, django_assert_max_num_queries):
    make_regime(w.t.a, w.t.b, code="dvc-thang-2")
    make_regime(w.t.a, code="dvc-thang-3")
    with django_assert_max_num_queries(12):
        html = w.client.get("/reporting/").content.decode()
    assert html.count('<td class="govuk-table__cell">Xã A</td>') == 3
    assert '<td class="govuk-table__cell">Xã B</td>' not in html


def test_figures_typed_the_vietnamese_way_keep_their_zeros(w):
    """ "1.200" was read as 1.2 (and refused as not whole, or, for a decimal indicator, saved
    a thousand times too small): it is one thousand two hundred; a decimal comma after
    grouped thousands is read; what is not a number is refused, nothing written."""
    response = _post(w, **{TOTAL: "1.200", RATE: "1.250.000,5", ON_TIME: "40"})
    assert response.status_code == 400  # the rate is above 100%: refused by its rule
    assert not Submission.objects.exists()
    response = _post(w, **{TOTAL: "1.200", RATE: "4,125", ON_TIME: " 4 "})
    assert response.status_code == 302, response.content.decode()[:2000]
    values = dict(DataValue.objects.values_list("indicator__key", "value"))
    assert values[TOTAL] == 1200 and str(values[RATE]) == "4.125000" and values[ON_TIME] == 4
    # Shown again with the decimal comma, so that sending it back keeps 4.125 (not 4125).
    html = w.client.get(report_url(w.regime, w.t.a)).content.decode()
    assert 'value="4,125"' in html and 'value="4.125"' not in html
    response = _post(w, **{TOTAL: "1.2OO"})
    assert response.status_code == 400 and "không phải là số" in response.content.decode()
