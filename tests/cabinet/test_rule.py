"""The result rule (egov.cabinet.rule): the issue's golden tests and a table of edge cases."""

import pytest

from egov.cabinet import rule
from egov.cabinet.rule import Count


@pytest.mark.parametrize(
    ("count", "adopted"),
    [
        # The golden tests.
        (Count(27, agree=14), True),
        (Count(27, agree=13, disagree=10), False),  # 4 silent
        (Count(26, agree=13, disagree=13, pm_choice="agree"), True),
        (Count(26, agree=13, disagree=13, pm_choice="disagree"), False),
    ],
)
def test_golden(count, adopted):
    assert rule.adopted(count) is adopted


EDGES = [
    # n, agree, disagree, other, pm, adopted: why
    (27, 13, 0, 0, "agree", False),  # 13 of 27 is not more than half, PM or not
    (27, 13, 13, 1, "agree", False),  # odd N: no half-half tie, 13 < 14
    (27, 27, 0, 0, "agree", True),
    (27, 14, 13, 0, "disagree", True),  # the PM on the losing side of a majority
    (26, 13, 12, 1, "agree", False),  # not a tie: half agree, one "other"
    (26, 13, 13, 0, "", False),  # tie, PM silent (or no PM): no side wins
    (26, 13, 13, 0, "other", False),
    (26, 14, 12, 0, "disagree", True),
    (26, 10, 10, 6, "agree", False),  # a tie below half of all members
    (27, 0, 0, 27, "", False),  # all "other"
    (27, 0, 0, 0, "", False),  # all silent: silence is never agreement
    (1, 1, 0, 0, "agree", True),
    (2, 1, 1, 0, "agree", True),
    (2, 1, 1, 0, "disagree", False),
]


@pytest.mark.parametrize(("n", "agree", "disagree", "other", "pm", "adopted"), EDGES)
def test_edges(n, agree, disagree, other, pm, adopted):
    assert rule.adopted(Count(n, agree, disagree, other, pm_choice=pm)) is adopted


@pytest.mark.parametrize(
    ("count", "decided", "needed"),
    [
        (Count(27, agree=14, pending=13), True, 0),  # adopted: answers cannot be withdrawn
        (Count(27, agree=13, pending=1), False, 1),
        (Count(27, agree=13, disagree=10, pending=0), True, 1),  # deadline passed
        (Count(27, agree=3, disagree=14, pending=10), True, 11),  # 13 at best: not adopted
        (Count(27, agree=4, disagree=13, pending=10), False, 10),  # 14 possible
        # N=26, 13 disagree: a 13-13 tie is still possible if the PM agrees or may.
        (Count(26, agree=12, disagree=13, pending=1, pm_pending=True), False, 2),
        (Count(26, agree=12, disagree=13, pending=1, pm_choice="agree"), False, 2),
        (Count(26, agree=12, disagree=13, pending=1, pm_choice="disagree"), True, 2),
    ],
)
def test_decided_early_and_agree_needed(count, decided, needed):
    assert rule.decided(count) is decided
    assert rule.agree_needed(count) == needed
