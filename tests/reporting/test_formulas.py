"""Indicators computed by a formula over other indicators (formulas.py): the expression language
and its refusals, the checks on save (unknown indicator, cycle, breakdown), and the figures on
the dashboard and the drill-down, computed live from the inputs' maintained aggregates at each
organisation (not summed from the communes), with "not enough data" and its reason instead of
an error, in a bounded number of queries."""

import ast
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.reporting import dashboard_views, formulas, freshness
from egov.reporting.figures import Part
from egov.reporting.models import Aggregation, CategoryCombo, Field, Indicator
from egov.reporting.services.indicators import save_indicator

from ..accounts.officials_support import tree  # noqa: F401
from .approval_support import NATIONAL, RATE, TOTAL, approve, world  # noqa: F401
from .test_dashboard import figure_url, page, with_figures

# Dossiers received per point of the online rate: a ratio, so not additive across communes.
RATIO = "test_per_rate"
# Dossiers received online (count x rate / 100), and a formula over that formula.
ONLINE = "test_online"
OFFLINE = "test_offline"


def _formula(key, text, **changes):
    values = dict(
        key=key,
        name=f"Chỉ tiêu {key}",
        field=Field.PUBLIC_ADMINISTRATION,
        unit="hồ sơ",
        periodicity="month",
        levels=["national", "province", "commune"],
        aggregation=Aggregation.FORMULA,
        formula=text,
    )
    values.update(changes)
    return Indicator(**values)


@pytest.fixture
def w(world, django_user_model):  # noqa: F811
    made = with_figures(world, django_user_model)
    made.ratio = save_indicator(_formula(RATIO, f"{TOTAL} / {RATE}"), actor=made.root)
    made.online = save_indicator(_formula(ONLINE, f"{TOTAL} * {RATE} / 100"), actor=made.root)
    made.offline = save_indicator(_formula(OFFLINE, f"{TOTAL} - {ONLINE}"), actor=made.root)
    made.regime.indicators.add(made.ratio, made.online, made.offline)
    return made


def _lines(response):
    return {line.indicator.key: line for s in response.context["sections"] for line in s.lines}


# The language ------------------------------------------------------------------------------


NAMES = ["a", "b", "c"]


def _expressions():
    leaf = st.one_of(
        st.sampled_from(NAMES), st.integers(0, 50).map(str), st.sampled_from(["0.5", "2.25"])
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from("+-*/"), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda e: f"-{e}"),
        ),
        max_leaves=12,
    )


@settings(max_examples=300, deadline=None)
@given(
    _expressions(),
    st.fixed_dictionaries({k: st.integers(-20, 20) for k in NAMES}),
)
@example("(a * (1 / 17))", {"a": 3, "b": 0, "c": 0})  # the oracle once divided in floats
def test_the_language_computes_what_arithmetic_does(text, values):
    tree_ = formulas.parse(text)
    assert set(formulas.keys(tree_)) <= set(NAMES)
    decimals = {k: Decimal(v) for k, v in values.items()}
    env = {k: Fraction(v) for k, v in values.items()}
    try:
        # The same arithmetic in exact fractions, by Python on a text only this test made: every
        # number a Fraction (a bare "1 / 17" would be Python's float, not the exact value).
        expected = eval(  # noqa: S307 - the test's own expressions
            re.sub(r"\d+(\.\d+)?", lambda number: f"F('{number.group(0)}')", text),
            {"__builtins__": {}, "F": Fraction},
            env,
        )
    except ZeroDivisionError:
        with pytest.raises(ZeroDivisionError):
            formulas.evaluate(tree_, decimals)
        return
    got = formulas.evaluate(tree_, decimals)
    # Decimal divides to 28 significant digits: equal to the exact value to well within that.
    assert abs(Fraction(got) - expected) <= abs(expected) * Fraction(1, 10**20) + Fraction(
        1, 10**20
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_read_or_refused_never_run(text):
    try:
        tree_ = formulas.parse(text)
    except formulas.FormulaError as error:
        assert str(error)
        return
    # What is read is only names, numbers and the four operations, and it computes a number.
    assert all(isinstance(node, formulas._NODES) for node in ast.walk(tree_))
    try:
        assert isinstance(
            formulas.evaluate(tree_, {k: Decimal(1) for k in formulas.keys(tree_)}), Decimal
        )
    except ZeroDivisionError:
        assert "/" in text


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.b",
        "a ** 2",
        "a[0]",
        "'x'",
        "True + a",
        "lambda: 1",
        "a if b else c",
        "a < b",
        "a // b",
        "a % b",
        "f(a)",
        "1e999 * a",
        "a +",
        "(a",
        "",
        "a; b",
        "(" * 500 + "a" + ")" * 500,
    ],
)
def test_anything_but_keys_numbers_and_the_four_operations_is_refused(text):
    with pytest.raises(formulas.FormulaError):
        formulas.parse(text)


def test_a_missing_input_names_the_key_and_a_zero_divisor_its_text():
    tree_ = formulas.parse("a / (b - c)")
    with pytest.raises(formulas.NoFigure, match="b"):
        formulas.evaluate(tree_, {"a": Decimal(1), "b": None, "c": Decimal(1)})
    with pytest.raises(ZeroDivisionError, match=r"b - c"):
        formulas.evaluate(tree_, {"a": Decimal(1), "b": Decimal(2), "c": Decimal(2)})
    assert formulas.evaluate(formulas.parse("-a + 0.1"), {"a": Decimal(1)}) == Decimal("-0.9")


# The checks on save ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, message",
    [
        ("exports -", "Không đọc được công thức"),
        ("exports ** 2", "Công thức chỉ được dùng"),
        ("no_such + exports", "Không có chỉ tiêu nào có mã: no_such"),
        ("2 * 3", "tính từ các chỉ tiêu khác"),
        (f"{RATIO} + 1", "không được dùng chính chỉ tiêu"),
    ],
)
def test_a_bad_formula_is_refused_in_vietnamese_and_nothing_is_saved(text, message):
    before = (Indicator.objects.count(), AuditEntry.objects.count())
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        save_indicator(_formula(RATIO, text), actor="test")
    assert message in refused.value.message_dict["formula"][0]
    assert (Indicator.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_a_cycle_between_formulas_is_refused():
    save_indicator(_formula("f_one", "exports * 2"), actor="test")
    save_indicator(_formula("f_two", "f_one + imports"), actor="test")
    save_indicator(_formula("f_three", "f_two / 2"), actor="test")
    one = Indicator.objects.get(key="f_one")
    one.formula = "f_three - 1"
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        save_indicator(one, actor="test")
    message = refused.value.message_dict["formula"][0]
    assert "tham chiếu vòng" in message and "f_one → f_three → f_two → f_one" in message
    assert Indicator.objects.get(key="f_one").formula == "exports * 2"


@pytest.mark.django_db
def test_a_broken_down_formula_needs_inputs_broken_down_the_same_way():
    sex = CategoryCombo.objects.create(code="test_sex", name="Giới tính")
    area = CategoryCombo.objects.create(code="test_area", name="Thành thị/nông thôn")
    Indicator.objects.filter(key="labour_force").update(disaggregation=sex)
    Indicator.objects.filter(key="population_avg").update(disaggregation=area)
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        save_indicator(
            _formula("test_share", "labour_force / population_avg", disaggregation=sex),
            actor="test",
        )
    assert "không được phân tổ như chỉ tiêu này" in refused.value.message_dict["formula"][0]
    # Undivided, it reads its inputs' undivided figures: accepted.
    save_indicator(_formula("test_share", "labour_force / population_avg"), actor="test")


@pytest.mark.django_db
def test_the_key_of_an_indicator_a_formula_uses_cannot_change():
    save_indicator(_formula("test_balance", "exports - imports"), actor="test")
    exports = Indicator.objects.get(key="exports")
    before = AuditEntry.objects.count()
    exports.key = "exports_goods"
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        save_indicator(exports, actor="test")
    message = refused.value.message_dict["key"][0]
    assert "Chỉ tiêu test_balance (test_balance)" in message and "công thức" in message
    assert Indicator.objects.filter(key="exports").exists()
    assert AuditEntry.objects.count() == before
    # Its other fields may change.
    exports.key, exports.name_en = "exports", "Exports of goods"
    save_indicator(exports, actor="test")


@pytest.mark.django_db
def test_the_breakdown_a_broken_down_formula_needs_cannot_change():
    sex = CategoryCombo.objects.create(code="test_sex", name="Giới tính")
    Indicator.objects.filter(key__in=["labour_force", "population_avg"]).update(disaggregation=sex)
    save_indicator(
        _formula("test_share", "labour_force / population_avg", disaggregation=sex), actor="test"
    )
    labour = Indicator.objects.get(key="labour_force")
    labour.disaggregation = None
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        save_indicator(labour, actor="test")
    assert "Chỉ tiêu test_share" in refused.value.message_dict["disaggregation"][0]
    assert Indicator.objects.get(key="labour_force").disaggregation == sex
    # An undivided formula reads the undivided figure whatever the breakdown: accepted.
    Indicator.objects.filter(key="test_share").update(disaggregation=None)
    save_indicator(labour, actor="test")
    assert Indicator.objects.get(key="labour_force").disaggregation is None


# The figures -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_formula_is_computed_from_the_sums_at_each_level_not_summed(w, client):
    # A: 100 dossiers at 50 %, B: 300 at 10 %, central body C: 7 at 90 %.
    province = _lines(page(client, w.root, f"/reporting/dashboard/{w.p.code}/"))
    # P: 400 dossiers at (100x50 + 300x10) / 400 = 20 %: 400 / 20 = 20, where the communes'
    # ratios (2 and 30) would sum to 32.
    assert province[RATIO].value == 20
    assert province[ONLINE].value == 80  # 400 x 20 / 100 = 50 + 30
    assert province[OFFLINE].value == 320  # a formula over a formula
    nation = _lines(page(client, w.root, "/reporting/dashboard/"))
    rate = Decimal(100 * 50 + 300 * 10 + 7 * 90) / 407
    assert nation[RATIO].value == Decimal(407) / rate
    assert nation[ONLINE].value.quantize(Decimal("0.01")) == Decimal("86.30")
    # February: only A reported; the previous period's comparison is a formula's too.
    assert nation[RATIO].previous["then"] == Decimal(80) / 40


@pytest.mark.django_db
def test_a_commune_approval_moves_the_province_and_nation_on_the_next_load(w, client):
    d = org_services.create_organisation(
        OrganisationData("000.00.03.H26", "Xã D", "commune", parent=w.p)
    )
    w.regime.organisations.add(d)
    assert _lines(page(client, w.root, f"/reporting/dashboard/{w.p.code}/"))[ONLINE].value == 80
    approve(w, d, **{TOTAL: "100", RATE: "100"})
    assert _lines(page(client, w.root, f"/reporting/dashboard/{w.p.code}/"))[ONLINE].value == 180
    nation = _lines(page(client, w.root, "/reporting/dashboard/"))
    assert nation[ONLINE].value.quantize(Decimal("0.01")) == Decimal("186.30")
    drill = page(client, w.root, figure_url(ONLINE, w.p))
    assert drill.context["value"] == 180
    # Each commune's figure from its own inputs (50 % of 100, 10 % of 300, 100 % of 100).
    assert {p.organisation.code: p.value for p in drill.context["parts"]} == {
        w.a.code: 50,
        w.b.code: 30,
        d.code: 100,
    }


@pytest.mark.django_db
def test_a_zero_divisor_or_a_missing_input_is_not_enough_data_with_the_reason(w, client):
    d = org_services.create_organisation(
        OrganisationData("000.00.03.H26", "Xã D", "commune", parent=w.p)
    )
    w.regime.organisations.add(d)
    approve(w, d, **{TOTAL: "5", RATE: "0"})
    response = page(client, w.root, f"/reporting/dashboard/{d.code}/")
    assert response.status_code == 200
    line = _lines(response)[RATIO]
    assert line.value is None and "svc_online_dossier_rate" in line.reason
    body = response.content.decode()
    assert "Không đủ số liệu" in body and "Chia cho 0" in body
    drill = page(client, w.root, figure_url(RATIO, d))
    assert drill.status_code == 200 and drill.context["value"] is None
    assert "Chia cho 0" in drill.content.decode()
    # Province Q reported nothing: no input, so no figure, and why.
    missing = page(client, w.root, f"/reporting/dashboard/{w.q.code}/")
    assert _lines(missing)[RATIO].value is None
    assert "chưa có số liệu được duyệt" in _lines(missing)[RATIO].reason


@pytest.mark.django_db
def test_the_drill_down_shows_the_formula_and_links_each_input(w, client):
    response = page(client, w.root, figure_url(RATIO, w.p))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{TOTAL} / {RATE}" in body
    figure = response.context["formula"]
    assert [(i.indicator.key, i.value) for i in figure.inputs] == [(TOTAL, 400), (RATE, 20)]
    for key in (TOTAL, RATE):
        link = figure_url(key, w.p).replace("?", "?").replace("&", "&amp;")
        assert f'href="{link}"' in body
    # The trend is the formula's at each period: February had A alone (80 / 40).
    trend = dict(response.context["trend"])
    assert list(trend.values())[-2:] == [Decimal(2), Decimal(20)]


@pytest.mark.django_db
def test_a_broken_down_formulas_inputs_are_linked_at_its_breakdown(w, client):
    sex = CategoryCombo.objects.create(code="test_sex", name="Giới tính")
    Indicator.objects.filter(key__in=[TOTAL, RATE]).update(disaggregation=sex)
    save_indicator(_formula("test_by_sex", f"{TOTAL} / {RATE}", disaggregation=sex), actor=w.root)
    w.regime.indicators.add(Indicator.objects.get(key="test_by_sex"))
    at_p = page(client, w.root, figure_url("test_by_sex", w.p) + "&disaggregation=male")
    at_nation = page(client, w.root, figure_url("test_by_sex") + "?disaggregation=male")
    for key in (TOTAL, RATE):
        link = figure_url(key, w.p) + "&amp;disaggregation=male"
        assert f'href="{link}"' in at_p.content.decode()
        assert f'href="{figure_url(key)}?disaggregation=male"' in at_nation.content.decode()
    # Undivided, the links carry no breakdown (the test above's links).
    undivided = page(client, w.root, figure_url("test_by_sex", w.p)).content.decode()
    assert f'href="{figure_url(TOTAL, w.p)}"' in undivided


def _rebuilt(client, url) -> int:
    """The queries of ``url`` made afresh: the warmed page's memos emptied (a remembered page
    reads no figure at all, tests/reporting/test_remembered.py)."""
    client.get(url)  # the session warmed
    for memo in (dashboard_views._memo, dashboard_views._boards, dashboard_views._drills):
        memo.clear()
    freshness.memo.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_formulas_keep_the_query_counts_bounded(w, client):
    client.force_login(w.root)
    board = "/reporting/dashboard/?regime=dvc-thang&year=2025&number=3"
    drill = figure_url(OFFLINE, w.p)
    before = (_rebuilt(client, board), _rebuilt(client, drill))
    # More formulas (one over an indicator outside the regime) and more communes.
    more = [
        save_indicator(_formula(f"test_more_{n}", f"{TOTAL} * {n} + exports"), actor=w.root)
        for n in range(5)
    ]
    w.regime.indicators.add(*more)
    for n in range(4, 8):
        commune = org_services.create_organisation(
            OrganisationData(f"000.00.{n:02d}.H26", f"Xã {n}", "commune", parent=w.p)
        )
        w.regime.organisations.add(commune)
        approve(w, commune, **{TOTAL: str(n), RATE: "1"})
    # One more query on the board: the definitions of the inputs outside the regime (exports).
    assert (_rebuilt(client, board), _rebuilt(client, drill)) == (before[0] + 1, before[1])
    with translation.override("vi"):
        assert _rebuilt(client, board) <= 16 and _rebuilt(client, drill) <= 19


@pytest.mark.django_db
def test_the_api_gives_the_formulas_inputs_and_reason(w, client):
    client.force_login(w.root)
    url = "/api/v1/reporting/aggregates/"
    query = {"regime": "dvc-thang", "indicator": RATIO, "year": 2025, "number": 3}
    body = client.get(url, {**query, "organisation": w.p.code}).json()
    assert Decimal(body["value"]) == 20 and body["formula"]["reason"] == ""
    assert [i["indicator"] for i in body["formula"]["inputs"]] == [TOTAL, RATE]
    missing = client.get(url, {**query, "organisation": w.q.code}, HTTP_ACCEPT_LANGUAGE="vi")
    assert missing.status_code == 200 and missing.json()["value"] is None
    assert "chưa có số liệu được duyệt" in missing.json()["formula"]["reason"]
    assert client.get(url, {**query, "indicator": TOTAL}).json()["formula"] is None


@pytest.mark.django_db
def test_the_links_up_and_down_keep_the_breakdown(w, client):
    """Not only a formula's inputs: the figure one level up and each part below are shown at
    the breakdown being read (the links dropped it before)."""
    sex = CategoryCombo.objects.create(code="test_sex", name="Giới tính")
    Indicator.objects.filter(key__in=[TOTAL, RATE]).update(disaggregation=sex)
    save_indicator(_formula("test_by_sex", f"{TOTAL} / {RATE}", disaggregation=sex), actor=w.root)
    w.regime.indicators.add(Indicator.objects.get(key="test_by_sex"))
    at_p = page(client, w.root, figure_url("test_by_sex", w.p) + "&disaggregation=male")
    up = figure_url("test_by_sex") + "?disaggregation=male"
    assert f'href="{up}"' in at_p.content.decode()
    undivided = page(client, w.root, figure_url("test_by_sex", w.p)).content.decode()
    assert f'href="{figure_url("test_by_sex")}"' in undivided
    # A part's link, as the drill-down's body draws it.
    body = render_to_string(
        "reporting/_drill_body.html",
        {
            **{k: at_p.context[k] for k in ("regime", "indicator", "year", "number")},
            "disaggregation": at_p.context["disaggregation"],
            "parts": [Part(w.a, Decimal(1), None, 1)],
        },
    )
    part = figure_url("test_by_sex", w.a) + "&amp;disaggregation=male"
    assert f'href="{part}"' in body
