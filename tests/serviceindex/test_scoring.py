"""The scoring rule: full points at the target, else rate × points ÷ target; N/A not zero."""

from decimal import Decimal as D

import pytest

from egov.serviceindex.scoring import Figure, GroupResult, Scored, group_score, score, total_score


def test_full_points_at_or_above_the_target():
    assert score(D(6), D(80), Figure.of(8, 10)) == D(6)
    assert score(D(6), D(80), Figure.of(9, 10)) == D(6)


def test_below_the_target_rate_times_points_over_target():
    # 40 % of a 80 % target for 6 points: 40 × 6 ÷ 80 = 3.
    assert score(D(6), D(80), Figure.of(4, 10)) == D(3)
    assert score(D(20), D(100), Figure.of(3, 4)) == D(15)


def test_zero_denominator_is_not_available_not_zero():
    assert score(D(6), D(80), Figure.of(0, 0)) is None
    assert score(D(6), D(80), Figure.unavailable("source not yet available")) is None
    assert score(D(6), D(80), Figure.of(0, 5)) == D(0)


def line(points, value, informative=False):
    return Scored(None, D(points), D(100), Figure(None, None), value, informative)


def test_group_rebased_over_the_indicators_with_figures():
    lines = [line(6, D(3)), line(4, None), line(2, D(2))]
    # (3 + 2) × 12 ÷ (6 + 2) = 7.5
    assert group_score(D(12), "rebase", lines) == (D("7.5"), True)


def test_group_na_rule_and_empty_group():
    lines = [line(6, D(3)), line(4, None)]
    assert group_score(D(10), "na", lines) == (None, False)
    assert group_score(D(10), "rebase", [line(6, None)]) == (None, False)


def test_informative_lines_are_not_summed():
    lines = [line(20, D(15)), line(0, None, informative=True)]
    assert group_score(D(20), "rebase", lines) == (D(15), False)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [((D(10), D(20)), (D(30), False)), ((D(10), None), (D(10) * D(40) / D(20), True))],
)
def test_total_rebased_when_a_group_is_na(scores, expected):
    groups = [
        GroupResult(None, D(20), score=scores[0]),
        GroupResult(None, D(20), score=scores[1]),
    ]
    assert total_score(groups) == expected
