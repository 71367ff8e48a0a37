"""The officials' pages of the compliance costs: the ministry's regulations listed with their
cost (searched without diacritics, in a fixed number of queries), a regulation's cost fields
changed with the cost computed, bad figures refused field by field with nothing saved."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from egov.consultation import costs as figures
from egov.consultation import services
from egov.consultation.models import Regulation
from egov.core.models import AuditEntry

from .test_regulations import data

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


@pytest.fixture
def regulation(world):
    return services.record_regulation(world.drafter, world.m, data(world, costs={}))


def _url(regulation):
    return f"/consultation/manage/regulations/{regulation.pk}/costs/"


FIGURES = {
    "subjects": "780096",
    "frequency": "1",
    "days": "2",
    "day_value": "221000",
    "fees": "0",
    "other_costs": "0",
}


def test_the_reports_figure_through_the_page(client, world, regulation):
    client.force_login(world.drafter)
    page = client.get(_url(regulation), **VI).content.decode()
    assert "Chi phí tuân thủ" in page and "0\xa0₫" in page
    done = client.post(_url(regulation), FIGURES, **VI)
    assert done.status_code == 302
    regulation.refresh_from_db()
    assert regulation.cost == 344_802_432_000
    shown = client.get(done["Location"], **VI).content.decode()
    assert "344.802.432.000\xa0₫" in shown
    entry = AuditEntry.objects.get(action="consultation.regulation.costs")
    assert entry.summary["before"] == 0 and entry.summary["after"] == 344_802_432_000
    assert entry.summary["fields"] == ["day_value", "days", "frequency", "subjects"]
    # Vietnamese grouping and a decimal comma are read as such.
    client.post(_url(regulation), {**FIGURES, "day_value": "221.000", "days": "0,5"}, **VI)
    regulation.refresh_from_db()
    assert regulation.day_value == 221_000 and str(regulation.days) == "0.50"
    assert regulation.cost == 780_096 * 110_500


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subjects", "-5", "Nhập một số từ 0 đến"),
        ("days", "hai", "Nhập một số."),
        ("day_value", "1e40", "Nhập một số từ 0 đến"),
        ("frequency", "NaN", "Nhập một số từ 0 đến"),
        ("frequency", "999999999999", "Nhập một số từ 0 đến"),
        # The app's own words, not the first catalogue's "Enter a whole number.".
        ("fees", "1.5", "Nhập số tiền tròn đồng, không có phần lẻ."),
        ("day_value", "221,5", "Nhập số tiền tròn đồng, không có phần lẻ."),
        ("subjects", "10.5", "Nhập số đối tượng không có phần lẻ."),
        ("subjects", "1000000000000000", "Chi phí sẽ vượt quá"),
    ],
)
def test_bad_figures_are_refused_and_nothing_saved(
    client, world, regulation, field, value, message
):
    client.force_login(world.drafter)
    before = AuditEntry.objects.count()
    refused = client.post(_url(regulation), {**FIGURES, field: value}, **VI)
    html = refused.content.decode()
    assert refused.status_code == 400 and message in html, html[html.find("govuk-error") :][:600]
    assert f'id="id_{field}-error"' in html  # on the field typed wrong, with what was typed
    assert f'value="{value}"' in html
    assert AuditEntry.objects.count() == before
    assert Regulation.objects.get(pk=regulation.pk).cost == 0


def test_only_the_regulations_ministry(client, world, regulation):
    for who, status in ((world.outsider, 403), (world.citizen, 403)):
        client.force_login(who)
        assert client.get(_url(regulation), **VI).status_code == status
        assert client.post(_url(regulation), FIGURES, **VI).status_code == status
    client.force_login(world.drafter)
    assert client.get("/consultation/manage/regulations/999999/costs/", **VI).status_code == 404
    assert Regulation.objects.get(pk=regulation.pk).cost == 0


def test_the_list_of_regulations_reads_a_fixed_number_of_queries(
    client, world, regulation, django_assert_max_num_queries
):
    url = "/consultation/manage/regulations/"
    client.force_login(world.drafter)
    with django_assert_max_num_queries(20) as first:
        client.get(url, **VI)
    for article in range(20, 26):
        services.record_regulation(
            world.drafter,
            world.m,
            data(world, article=f"{article}", content=f"Giấy phép {article}"),
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(url, **VI).content.decode()
    assert html.count("/costs/") == 7 and "344.802.432.000\xa0₫" in html
    assert client.get(f"{url}?q=giay phep 2", **VI).content.decode().count("/costs/") == 6
    # Another ministry's official sees none of them.
    client.force_login(world.outsider)
    assert "/costs/" not in client.get(url, **VI).content.decode()


def test_saved_figures_are_shown_in_vietnamese_and_read_back_the_same(client, world, regulation):
    client.force_login(world.drafter)
    typed = {**FIGURES, "frequency": "1000", "days": "0,5", "fees": "1.250.000"}
    assert client.post(_url(regulation), typed, **VI).status_code == 302
    html = client.get(_url(regulation), **VI).content.decode()
    for name, value in {
        "subjects": "780.096",
        "frequency": "1000",
        "days": "0,5",
        "day_value": "221.000",
        "fees": "1.250.000",
        "other_costs": "0",
    }.items():
        assert f'name="{name}" value="{value}"' in html
    assert "221000.00" not in html and ",00" not in html
    regulation.refresh_from_db()
    saved = {n: getattr(regulation, n) for n in FIGURES}
    # The form sent back unchanged saves the same figures (and audits no change of field).
    form = re.findall(r'name="(\w+)" value="([^"]*)"', html)
    again = client.post(_url(regulation), {n: v for n, v in form if n in FIGURES}, **VI)
    assert again.status_code == 302
    regulation.refresh_from_db()
    assert {n: getattr(regulation, n) for n in FIGURES} == saved
    assert (
        AuditEntry.objects.filter(action="consultation.regulation.costs").last().summary["fields"]
        == []
    )


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("frequency", Decimal("1.00"), "1"),
        ("frequency", Decimal("0.50"), "0,5"),
        ("days", Decimal("2.25"), "2,25"),
        ("days", Decimal("10.00"), "10"),
        ("days", Decimal("0.00"), "0"),
        ("day_value", 221000, "221.000"),
        ("subjects", 780096, "780.096"),
        ("fees", 0, "0"),
        ("other_costs", 999, "999"),
    ],
)
def test_a_figure_is_shown_as_it_is_read(name, value, text):
    assert figures.shown(name, value) == text


@pytest.mark.parametrize(
    ("name", "raw", "read"),
    [
        ("day_value", "221.000", "221000"),
        ("day_value", "221 000", "221000"),
        ("day_value", "221,5", "221.5"),  # refused by the service: whole đồng
        ("fees", "1.250.000,5", "1250000.5"),
        ("days", "0,5", "0.5"),
        ("days", "0.5", "0.5"),
        ("frequency", "1.000,25", "1000.25"),
        ("frequency", "1.000", "1.000"),  # a decimal point where times may have decimals
        ("subjects", "", "0"),
        ("subjects", "hai", "hai"),  # left for the service to refuse
    ],
)
def test_a_figure_is_read_as_typed_in_vietnamese(name, raw, read):
    assert figures.read(name, raw) == read
