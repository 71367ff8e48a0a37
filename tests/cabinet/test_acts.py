"""The ballot's act table (egov.cabinet.acts): what it offers is what the services accept."""

import pytest

from egov.cabinet import acts, scopes
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import Ballot, Status

ROLES = {
    "secretariat": {scopes.READ, scopes.ISSUE},
    "member": {scopes.READ, scopes.ANSWER},
    "reader": {scopes.READ},
}


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("name", [n for n, a in acts.ACTS.items() if a.sources])
def test_allowed_acts_match_the_transitions(status, role, name):
    ballot = Ballot(status=status)
    offered = name in {a.name for a in acts.allowed_acts(ballot, ROLES[role])}
    try:
        acts.check_transition(ballot, name)
        status_allows = True
    except IllegalTransition:
        status_allows = False
    holds = bool(set(acts.ACTS[name].scopes) & ROLES[role])
    assert offered == (status_allows and holds)


def test_a_decided_ballot_takes_no_act_but_sending_its_report():
    decided = Ballot(status=Status.DECIDED)
    assert [a.name for a in acts.allowed_acts(decided, ROLES["secretariat"])] == ["send_report"]
    assert acts.allowed_acts(decided, ROLES["member"]) == []
    with pytest.raises(IllegalTransition) as info:
        acts.check_transition(Ballot(status=Status.DECIDED), "answer")
    assert "đã có kết quả" in info.value.messages[0]
