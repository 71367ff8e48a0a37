"""The reporting app's part of the access matrix (tests/accounts/test_access_matrix.py).

Commune A's submission for March 2025: A's reporter reads it; B's reporter and approver, an
official of another province, another citizen, an anonymous caller and an API client of the
other province get 401, 403 or 404. The approval acts' route is opened by reports.approve
alone; the unit's organisation is checked by the service."""

from __future__ import annotations

from egov.reporting.services.submissions import Entry, submit

from ..accounts.officials_support import make_official
from .submission_support import MONTH, ON_TIME, RATE, TOTAL, YEAR, make_regime

BASE = "/api/v1/reporting/submissions/{id}/"


def _read_case(t):
    regime = make_regime(t.a, t.b)
    reporter = make_official("rep_a", t.a, "reporter").user
    submission = submit(
        actor=reporter,
        regime=regime,
        organisation=t.a,
        year=YEAR,
        number=MONTH,
        entries=[Entry(TOTAL, "120"), Entry(RATE, "45.5"), Entry(ON_TIME, "40")],
    )
    return {
        "id": submission.pk,
        "insider": reporter,
        "outsiders": [
            make_official("rep_b", t.b, "reporter", "approver").user,
            make_official("rep_q", t.q, "reporter", "approver", subtree=True).user,
        ],
        "scopes": ["reports.read"],
    }


def _signed_data_case(t):
    """The signed data (XML) of A's submission, signed by A's reporter."""
    from egov.reporting.models import Submission
    from egov.reporting.services import xml_data

    case = _read_case(t)
    submission = Submission.objects.get(pk=case["id"])
    signature = xml_data.sign(submission, actor=case["insider"])
    return {**case, "id": signature.pk}


TARGET = "/api/v1/reporting/targets/{id}/"


def _target_case(insider_role: str, scope: str):
    """Commune A's own target: A's reader reads it, A's administrator removes it; B's and
    province Q's officials (administrators too) do not reach it."""

    def case(t):
        from egov.reporting.models import Indicator, Target

        target = Target.objects.create(
            indicator=Indicator.objects.get(key=TOTAL),
            organisation=t.a,
            direction="higher",
            low=100,
        )
        return {
            "id": target.pk,
            "insider": make_official(f"{insider_role}_a", t.a, insider_role).user,
            "outsiders": [
                make_official("adm_b", t.b, "reporter", "administrator").user,
                make_official("adm_q", t.q, "reporter", "administrator", subtree=True).user,
            ],
            "scopes": [scope],
        }

    return case


CASES = {
    (BASE, "get"): _read_case,
    ("/api/v1/reporting/signed-data/{id}/", "get"): _signed_data_case,
    (TARGET, "get"): _target_case("reporter", "reports.read"),
    (TARGET, "delete"): _target_case("administrator", "reports.targets"),
}

# ``{act}`` names an act of the approval table, not an object: the unit is in the body, and
# the caller's scope at its organisation is checked by the service (tests/reporting/
# test_approval_api.py: another province's approver gets 403).
SCOPE_ONLY = {("/api/v1/reporting/approvals/{act}/", "post"): "reports.approve"}
# Posting signed data or a dataValueSet, or asking to sign, names no object in the path: the
# organisation is in the body and checked by the service (tests/reporting/test_xml_data.py,
# test_dhis2_import.py: another organisation's report is refused).
