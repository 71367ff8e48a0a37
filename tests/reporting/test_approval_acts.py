"""The approval act table walked: every (state, state of the level above, act) is allowed
exactly when the act leaves from the state, the level above exists for its acts, and an
undoing act is not made under an approved level."""

from itertools import product
from types import SimpleNamespace

import pytest

from egov.reporting import approval_acts as acts

STATES = [acts.WAITING, acts.READY, acts.APPROVED, acts.ACCEPTED, acts.EXEMPTED]
UPPER = ["", "unapproved", acts.APPROVED, acts.ACCEPTED]


@pytest.mark.parametrize(
    ("state", "upper", "has_upper", "name"),
    list(product(STATES, UPPER, [True, False], list(acts.ACTS))),
)
def test_the_table_decides(state, upper, has_upper, name):
    unit = SimpleNamespace(
        state=state, upper_status=upper if has_upper else "", has_upper=has_upper
    )
    act = acts.ACTS[name]
    expected = (
        state in act.sources
        and (act.party == acts.HERE or has_upper)
        and not (act.top_down and unit.upper_status in (acts.APPROVED, acts.ACCEPTED))
    )
    try:
        acts.check_transition(unit, name)
        allowed = True
    except acts.IllegalTransition as exc:
        allowed = False
        assert exc.messages[0]  # a sentence, never an empty refusal
    assert allowed == expected
    offered = {a.name for a in acts.allowed_acts(unit, lambda party: True)}
    assert (name in offered) == expected
    assert name not in {a.name for a in acts.allowed_acts(unit, lambda party: False)}


def test_the_states_tree():
    assert acts.state("unapproved", ready=False) == acts.WAITING
    assert acts.state("unapproved", ready=True) == acts.READY
    assert acts.state(acts.ACCEPTED, ready=False) == acts.ACCEPTED
    # Undoing an accepted approval is refused: only the level above's unaccept leaves it.
    assert [a.name for a in acts.ACTS.values() if acts.ACCEPTED in a.sources] == ["unaccept"]
