"""Importing DHIS2's dataValueSets JSON: the payloads are written from DHIS2's web API
documentation (dhis2-docs, developer/web-api/data.md: "Sending data values", "Sending bulks of
data values", the import summary), not from our exporter, with our codes in place of DHIS2's
uids (``idScheme=code``), or names (the identifier schemes of "Import parameters" and
"Identifier schemes"). The same checks as every other way in; conflicts answer 409 with
DHIS2's importSummary in Vietnamese and nothing written; comments are kept and shown; and a
round trip from the dashboard's export back in."""

from types import SimpleNamespace

import pytest

from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting.models import (
    Category,
    CategoryCombo,
    CategoryOption,
    DataValue,
    Indicator,
    Submission,
)
from egov.reporting.services import approval, dhis2

from .approval_support import world  # noqa: F401
from .form_support import report_url
from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR

URL = "/api/v1/reporting/data-value-sets/"


def post(client, document, query=""):
    return client.post(
        f"{URL}{query}", document, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi"
    )


def data_value_set(w, period="202503", **changes):
    """As the documentation's first example: one data set, period and org unit for the set, a
    completeDate, data values with an optional comment."""
    document = {
        "dataSet": w.regime.code,
        "completeDate": "2025-04-03",
        "period": period,
        "orgUnit": w.t.a.code,
        "dataValues": [
            {"dataElement": TOTAL, "value": "120", "comment": "Số liệu từ một cửa"},
            {"dataElement": RATE, "value": "45.5"},
            {"dataElement": ON_TIME, "value": "40"},
        ],
    }
    document.update(changes)
    return document


def values_of(submission) -> dict:
    return {
        (v.indicator.key, v.disaggregation): v.value.normalize()
        for v in submission.values.select_related("indicator")
    }


def test_a_data_value_set_is_imported_as_a_report(w):
    response = post(w.client, data_value_set(w))
    assert response.status_code == 200, response.content
    summary = response.json()
    assert summary["responseType"] == "ImportSummary" and summary["status"] == "SUCCESS"
    assert summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert summary["conflicts"] == []
    submission = Submission.objects.get()
    assert (submission.organisation, submission.year, submission.number) == (w.t.a, YEAR, MONTH)
    assert values_of(submission)[(RATE, "")] == pytest.approx(45.5)
    assert AuditEntry.objects.filter(action="reporting.submitted").count() == 1

    again = data_value_set(w)
    again["dataValues"][0]["value"] = "125"
    summary = post(w.client, again).json()
    # As DHIS2 counts: a changed value is updated, an unchanged one ignored.
    assert summary["importCount"] == {"imported": 0, "updated": 1, "ignored": 2, "deleted": 0}
    assert values_of(Submission.objects.get())[(TOTAL, "")] == 125


def test_the_bulk_form_with_period_and_org_unit_per_value(w):
    document = {
        "dataValues": [
            {"dataElement": TOTAL, "period": "202502", "orgUnit": w.t.a.code, "value": "80"},
            {"dataElement": TOTAL, "period": "202503", "orgUnit": w.t.a.code, "value": "120"},
            {"dataElement": RATE, "period": "202503", "orgUnit": w.t.a.code, "value": "45"},
        ],
        "dataSet": w.regime.code,
    }
    summary = post(w.client, document).json()
    assert summary["status"] == "SUCCESS" and summary["importCount"]["imported"] == 3
    assert sorted(Submission.objects.values_list("number", flat=True)) == [2, 3]


def test_unknown_codes_are_conflicts_and_nothing_is_written(w):
    document = data_value_set(w)
    document["dataValues"] += [
        {"dataElement": "khong_co", "value": "1"},
        {"dataElement": TOTAL, "orgUnit": "999.99.99.X99", "value": "1"},
    ]
    response = post(w.client, document)
    assert response.status_code == 409
    summary = response.json()
    assert summary["status"] == "ERROR"
    conflicts = {c["object"]: c["value"] for c in summary["conflicts"]}
    assert "không phải là" in conflicts["999.99.99.X99"]  # not an organisation
    assert "khong_co" in conflicts and "chỉ tiêu" in conflicts["khong_co"]
    assert summary["importCount"]["imported"] == 0 and summary["importCount"]["ignored"] == 5
    assert not Submission.objects.exists()

    unknown_set = post(w.client, data_value_set(w, dataSet="khong-co"))
    assert unknown_set.status_code == 409
    assert unknown_set.json()["conflicts"][0]["object"] == "khong-co"
    assert not Submission.objects.exists()


def test_a_period_of_another_periodicity_is_a_conflict(w):
    response = post(w.client, data_value_set(w, period="2025Q1"))
    assert response.status_code == 409
    [conflict] = response.json()["conflicts"]
    assert conflict["object"] == "2025Q1" and "202601" in conflict["value"]
    assert post(w.client, data_value_set(w, period="202513")).status_code == 409
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("periodicity", "text", "expected"),
    [
        ("month", "202601", (2026, 1)),
        ("month", "202612", (2026, 12)),
        ("quarter", "2026Q1", (2026, 1)),
        ("quarter", "2026Q4", (2026, 4)),
        ("half", "2026S1", (2026, 1)),
        ("half", "2026S2", (2026, 2)),
        ("year", "2026", (2026, 1)),
        ("month", "2026-01", None),
        ("quarter", "2026Q5", None),
        ("half", "2026S3", None),
        ("year", "2026Q1", None),
    ],
)
def test_dhis2_periods(periodicity, text, expected):
    regime = SimpleNamespace(kind="periodic", periodicity=periodicity)
    assert dhis2.parse_period(regime, text) == expected
    if expected:
        assert dhis2.period_id(regime, *expected) == text


def test_the_same_rules_as_every_other_way_in(w):
    blocking = data_value_set(w)
    blocking["dataValues"][0]["value"] = "10"  # the rate may not exceed the total
    blocking["dataValues"][1]["value"] = "45"
    response = post(w.client, blocking)
    assert response.status_code == 409 and "phải" in str(response.json()["conflicts"])
    warned = data_value_set(w)
    warned["dataValues"][1]["value"] = "30"
    warned["dataValues"][2]["value"] = "90"
    first = post(w.client, warned)
    assert first.status_code == 409 and first.json()["status"] == "ERROR"
    assert not Submission.objects.exists()
    confirmed = post(w.client, warned, "?confirm_warnings=true")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "WARNING"
    assert Submission.objects.get().warnings


def test_a_dry_run_counts_and_writes_nothing(w):
    response = post(w.client, data_value_set(w), "?dryRun=true")
    assert response.status_code == 200
    assert response.json()["importCount"]["imported"] == 3
    assert not Submission.objects.exists()


def test_another_organisations_report_is_a_conflict(w):
    response = post(w.client, data_value_set(w, orgUnit=w.t.b.code))
    assert response.status_code == 409
    assert not Submission.objects.exists()


def test_a_body_that_is_not_a_data_value_set_is_refused(w):
    for body in ({"dataSet": w.regime.code}, [1, 2], {"dataValues": ["x"]}):
        response = post(w.client, body)
        assert response.status_code == 400, body
        assert response.json()["message"]
    assert not Submission.objects.exists()


def test_category_option_combos_are_disaggregations(w):
    sex = Category.objects.create(code="gioi-tinh-test", name="Giới tính")
    for order, code in enumerate(("nam", "nu")):
        CategoryOption.objects.create(category=sex, code=code, name=code, order=order)
    combo = CategoryCombo.objects.create(code="theo-gioi-tinh-test", name="Theo giới tính")
    combo.categories.add(sex)
    Indicator.objects.filter(key=TOTAL).update(disaggregation=combo)
    document = data_value_set(w)
    document["dataValues"][0] = {
        "dataElement": TOTAL,
        "categoryOptionCombo": "nam",
        "value": "70",
    }
    document["dataValues"].append(
        {"dataElement": TOTAL, "categoryOptionCombo": "nu", "value": "50"}
    )
    document["dataValues"].append(
        {"dataElement": RATE, "categoryOptionCombo": "default", "value": "45.5"}
    )
    response = post(w.client, document)
    assert response.status_code == 409  # RATE given twice: its total, "default"
    document["dataValues"].pop()
    response = post(w.client, document)
    assert response.status_code == 200, response.content
    assert values_of(Submission.objects.get())[(TOTAL, "nu")] == 50
    wrong = data_value_set(w)
    wrong["dataValues"][0]["categoryOptionCombo"] = "khac"
    response = post(w.client, wrong)
    assert response.status_code == 409 and "khac" in str(response.json()["conflicts"])


def test_round_trip_from_the_dashboards_export(world, client, django_user_model):  # noqa: F811
    """What the dashboard exports for commune A's approved March is imported back as A's
    April: the same values."""
    root = django_user_model.objects.create_superuser("root", password=None)
    from egov.reporting.services.submissions import Entry, submit

    march = submit(
        actor=root,
        regime=world.regime,
        organisation=world.a,
        year=YEAR,
        number=MONTH,
        entries=[Entry(TOTAL, "100"), Entry(RATE, "50")],
    )
    approval.act(
        actor=root,
        name="approve",
        regime=world.regime,
        organisation=world.a,
        year=YEAR,
        number=MONTH,
    )
    client.force_login(world.people.rep_a)
    exported = client.get(
        f"/reporting/dashboard/{world.a.code}/",
        {"regime": world.regime.code, "year": YEAR, "number": MONTH, "format": "dhis2"},
    )
    assert exported.status_code == 200, exported.content
    document = exported.json()
    assert document["period"] == "202503" and document["orgUnit"] == world.a.code
    # Moved to April: the set's period and every value's.
    document["period"] = "202504"
    for value in document["dataValues"]:
        value["period"] = "202504"
    response = post(client, document)
    assert response.status_code == 200, response.content
    assert response.json()["importCount"]["imported"] == 2
    april = Submission.objects.get(organisation=world.a, number=MONTH + 1)
    assert values_of(april) == values_of(march)


# --------------------------------------------------------------------------- comments


def test_a_comment_is_kept_with_its_value_and_shown(w, django_user_model):
    response = post(w.client, data_value_set(w))
    assert response.status_code == 200, response.content
    comments = dict(DataValue.objects.values_list("indicator__key", "comment"))
    assert comments == {TOTAL: "Số liệu từ một cửa", RATE: "", ON_TIME: ""}
    page = w.client.get(report_url(w.regime, w.t.a)).content.decode()
    assert "Ghi chú: Số liệu từ một cửa" in page
    api = w.client.get(f"/api/v1/reporting/submissions/{Submission.objects.get().pk}/")
    by_key = {v["indicator"]: v["comment"] for v in api.json()["values"]}
    assert by_key[TOTAL] == "Số liệu từ một cửa"
    # A changed comment on an unchanged value is an update, as DHIS2 counts it.
    again = data_value_set(w)
    again["dataValues"][0]["comment"] = "Đã đối chiếu với sổ theo dõi"
    summary = post(w.client, again).json()
    assert summary["importCount"] == {"imported": 0, "updated": 1, "ignored": 2, "deleted": 0}
    # The approved report's drill-down shows it beside the value.
    root = django_user_model.objects.create_superuser("root", password=None)
    approval.act(
        actor=root, name="approve", regime=w.regime, organisation=w.t.a, year=YEAR, number=MONTH
    )
    figure = w.client.get(
        f"/reporting/dashboard/figure/{w.regime.code}/{TOTAL}/{YEAR}/{MONTH}/",
        {"organisation": w.t.a.code},
    )
    assert figure.status_code == 200
    assert "Ghi chú: Đã đối chiếu với sổ theo dõi" in figure.content.decode()


def test_a_comment_too_long_is_a_conflict(w):
    document = data_value_set(w)
    document["dataValues"][0]["comment"] = "x" * 2001
    response = post(w.client, document)
    assert response.status_code == 409 and "ghi chú" in str(response.json()["conflicts"])
    assert not Submission.objects.exists()


# --------------------------------------------------------------------------- identifier schemes


def by_name(w, **changes):
    """The first example again, identified by names as DHIS2 allows (``orgUnitIdScheme=name``
    and ``dataElementIdScheme=name``), the data set still by code."""
    names = dict(
        Indicator.objects.filter(key__in=[TOTAL, RATE, ON_TIME]).values_list("key", "name")
    )
    document = data_value_set(w, orgUnit=w.t.a.name, **changes)
    for item in document["dataValues"]:
        item["dataElement"] = names[item["dataElement"]]
    return document


def test_names_identify_org_units_and_data_elements(w):
    # In the body (upper case, as the documentation's XML writes it) ...
    document = by_name(w, dataElementIdScheme="NAME", orgUnitIdScheme="NAME")
    response = post(w.client, document)
    assert response.status_code == 200, response.content
    assert values_of(Submission.objects.get())[(TOTAL, "")] == 120
    # ... or in the query; idScheme stands for both.
    Submission.objects.all().delete()
    assert post(w.client, by_name(w), "?idScheme=name&dataSetIdScheme=code").status_code == 200
    assert Submission.objects.get().organisation == w.t.a


def test_the_body_scheme_wins_over_the_query_and_a_specific_one_over_idscheme(w):
    # The body says codes: the query's names do not apply.
    response = post(w.client, data_value_set(w, idScheme="code"), "?idScheme=name")
    assert response.status_code == 200, response.content
    # idScheme=name for all, but data elements by code.
    document = data_value_set(w, orgUnit=w.t.a.name, period="202502")
    response = post(w.client, document, "?idScheme=name&dataElementIdScheme=code")
    assert response.status_code == 409  # the data set is by name now: its code is no name
    assert response.json()["conflicts"][0]["object"] == w.regime.code
    document["dataSet"] = w.regime.name
    response = post(w.client, document, "?idScheme=name&dataElementIdScheme=code")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("query", "parameter", "said"),
    [
        ("?idScheme=uid", "idScheme", "uid"),
        ("?dataElementIdScheme=UID", "dataElementIdScheme", "uid"),
        ("?orgUnitIdScheme=attribute:DnrLSdo4hMl", "orgUnitIdScheme", "thuộc tính"),
        ("?orgUnitIdScheme=shortName", "orgUnitIdScheme", "shortName"),
    ],
)
def test_schemes_without_an_equivalent_are_conflicts(w, query, parameter, said):
    response = post(w.client, data_value_set(w), query)
    assert response.status_code == 409
    summary = response.json()
    assert summary["status"] == "ERROR"
    [conflict] = summary["conflicts"]
    assert conflict["object"] == parameter and said in conflict["value"]
    assert summary["importCount"]["ignored"] == 3
    assert not Submission.objects.exists()


def test_a_name_two_organisations_share_is_a_conflict(w):
    org_services.create_organisation(
        OrganisationData("000.00.01.H46", w.t.a.name, "commune", parent=w.t.q)
    )
    response = post(w.client, by_name(w), "?idScheme=name&dataSetIdScheme=code")
    assert response.status_code == 409
    conflicts = {c["object"]: c["value"] for c in response.json()["conflicts"]}
    assert "mã" in conflicts[w.t.a.name]  # identify them by code
    assert not Submission.objects.exists()


def test_category_option_combos_by_name(w):
    sex = Category.objects.create(code="gioi-tinh-test", name="Giới tính")
    for order, (code, name) in enumerate((("nam", "Nam"), ("nu", "Nữ"))):
        CategoryOption.objects.create(category=sex, code=code, name=name, order=order)
    combo = CategoryCombo.objects.create(code="theo-gioi-tinh-test", name="Theo giới tính")
    combo.categories.add(sex)
    Indicator.objects.filter(key=TOTAL).update(disaggregation=combo)
    document = data_value_set(w, categoryOptionComboIdScheme="name")
    document["dataValues"][0] = {"dataElement": TOTAL, "categoryOptionCombo": "Nam", "value": "70"}
    document["dataValues"].append(
        {"dataElement": TOTAL, "categoryOptionCombo": "Nữ", "value": "50"}
    )
    response = post(w.client, document)
    assert response.status_code == 200, response.content
    assert values_of(Submission.objects.get())[(TOTAL, "nu")] == 50
    document["dataValues"][1]["categoryOptionCombo"] = "Khác"
    response = post(w.client, document)
    assert response.status_code == 409 and "Khác" in str(response.json()["conflicts"])
