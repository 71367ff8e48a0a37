"""The assignments' part of the access matrix (tests/accounts/test_access_matrix.py): province P
is the assigning office, commune A leads the task; commune B and province Q are outsiders."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import override_settings

from egov.assignments import scopes, services
from egov.assignments.models import SourceType

from ..accounts.officials_support import make_official

BASE = "/api/v1/assignments/{assignment_id}/"
SOURCE = services.SourceDocument("1/NQ-CP", date(2026, 1, 5), SourceType.RESOLUTION, "Thủ tướng")
STEPS = ("open", "submitted", "extension")


def _task(t, step: str):
    office = make_official("vpcp_p", t.p, "clerk")
    lead = make_official("lead_a", t.a, "processor")
    with override_settings(EGOV_INSTANCE_ORG_CODE=t.p.code):
        task = services.create_assignment(
            office.user,
            document=SOURCE,
            content="Nhiệm vụ",
            lead=t.a,
            deadline=date.today() + timedelta(days=60),
        )
        if step == "submitted":
            services.report_completion(
                lead.user, task, text="Xong", result=services.DocumentRef("1/BC")
            )
        if step == "extension":
            services.request_extension(
                lead.user, task, new_deadline=date.today() + timedelta(days=90), reason="Cần"
            )
    return task, {"office": office.user, "lead": lead.user}


def _outsiders(t):
    return [
        make_official("desk_b", t.b, "desk", "processor", "approver", "clerk").user,
        make_official("desk_q", t.q, "desk", "approver", "clerk", subtree=True).user,
    ]


def case(step: str, insider: str, scope: str, body=None):
    def build(t):
        task, who = _task(t, step)
        return {
            "id": task.pk,
            "insider": who[insider],
            "outsiders": _outsiders(t),
            "scopes": [scope],
            "body": body or {},
            "settings": {"EGOV_INSTANCE_ORG_CODE": t.p.code},
        }

    return build


CASES = {
    (BASE, "get"): case("open", "lead", scopes.READ),
    (f"{BASE}report-progress/", "post"): case("open", "lead", scopes.REPORT, {"text": "Đang làm"}),
    (f"{BASE}report-completion/", "post"): case(
        "open", "lead", scopes.REPORT, {"text": "Xong", "result": {"number": "2/BC"}}
    ),
    (f"{BASE}accept/", "post"): case("submitted", "office", scopes.MANAGE),
    (f"{BASE}send-back/", "post"): case("submitted", "office", scopes.MANAGE, {"reason": "Thiếu"}),
    (f"{BASE}request-extension/", "post"): case(
        "open",
        "lead",
        scopes.REPORT,
        {"new_deadline": str(date.today() + timedelta(days=90)), "reason": "Cần"},
    ),
    (f"{BASE}approve-extension/", "post"): case("extension", "office", scopes.MANAGE),
    (f"{BASE}refuse-extension/", "post"): case(
        "extension", "office", scopes.MANAGE, {"reason": "Không"}
    ),
    (f"{BASE}withdraw/", "post"): case(
        "open", "office", scopes.MANAGE, {"reason": "Không còn", "decision": "9/QĐ-TTg"}
    ),
}
