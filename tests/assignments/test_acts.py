"""The act table walked: for every stage, party and act, what the pages offer
(``allowed_acts``) is exactly what the service accepts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from egov.assignments import services
from egov.assignments.acts import ACTS, allowed_acts
from egov.assignments.models import Assignment

from .conftest import make_task

pytestmark = pytest.mark.django_db
FAR = date.today() + timedelta(days=120)
ARGS = {
    "report_progress": {"text": "Đang làm"},
    "report_completion": {"text": "Xong", "result": services.DocumentRef("1/BC")},
    "accept": {},
    "send_back": {"reason": "Thiếu"},
    "request_extension": {"new_deadline": FAR + timedelta(days=30), "reason": "Cần"},
    "approve_extension": {},
    "refuse_extension": {"reason": "Không"},
    "withdraw": {"reason": "Không còn", "decision": "9/QĐ-TTg"},
}


class Rollback(Exception):
    pass


def _stage(world, name):
    task = make_task(world, deadline=FAR)
    lead = world.lead_officer.user
    if name in {"open_extension", "submitted_extension"}:
        services.request_extension(lead, task, **ARGS["request_extension"])
    if name in {"submitted", "submitted_extension"}:  # an extension asked before the report
        services.report_completion(lead, task, **ARGS["report_completion"])
    if name == "done":
        services.report_completion(lead, task, **ARGS["report_completion"])
        services.accept(world.clerk.user, task)
    if name == "withdrawn":
        services.withdraw(world.clerk.user, task, **ARGS["withdraw"])
    if name == "overdue":
        Assignment.objects.filter(pk=task.pk).update(
            deadline=date(2026, 1, 10), due_on=date(2026, 1, 12)
        )
    task.refresh_from_db()
    return task


def _accepted(actor, task, act) -> bool:
    try:
        with transaction.atomic():
            services.ACT_FUNCTIONS[act](actor, task, **ARGS[act])
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, ValidationError):
        return False


@pytest.mark.parametrize(
    "stage",
    ["open", "open_extension", "submitted", "submitted_extension", "done", "withdrawn", "overdue"],
)
def test_offered_is_accepted(world, stage):
    task = _stage(world, stage)
    walked = 0
    for who in ("lead_officer", "lead_boss", "clerk", "coord", "prov"):
        actor = getattr(world, who).user
        offered = {a.name for a in allowed_acts(task, actor)}
        for act in ACTS:
            fresh = type(task).objects.get(pk=task.pk)
            assert _accepted(actor, fresh, act) == (act in offered), (stage, who, act)
            walked += 1
    assert walked == 5 * len(ACTS)


def test_every_act_is_offered_somewhere(world):
    seen = set()
    for stage in ("open", "open_extension", "submitted"):
        task = _stage(world, stage)
        for who in ("lead_officer", "clerk"):
            seen |= {a.name for a in allowed_acts(task, getattr(world, who).user)}
    assert seen == set(ACTS)
