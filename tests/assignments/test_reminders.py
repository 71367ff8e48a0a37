"""Reminders at 5 and 1 working days before the day a task falls due and when it becomes
overdue, to the person responsible and the lead's focal point, once each (the outbox's key)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from egov.assignments import services
from egov.assignments.services.reminders import flag, remind, working_days_left
from egov.core.calendar import WorkingCalendar
from egov.core.models import OutboxMessage

from .conftest import make_task

# Deadline Friday 24/4/2026. Five working days before: Friday 17/4; one: Thursday 23/4.
DEADLINE = date(2026, 4, 24)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 4, 16), ""),  # six working days left
        (date(2026, 4, 17), "d5"),
        (date(2026, 4, 22), "d5"),  # two left
        (date(2026, 4, 23), "d1"),
        (date(2026, 4, 24), "d1"),  # the day itself
        (date(2026, 4, 25), "overdue"),
    ],
)
def test_flags(world, today, expected):
    task = make_task(world, deadline=DEADLINE)
    cal = WorkingCalendar.for_organisation(world.m1)
    assert flag(task, today, cal.is_working_day) == expected


@pytest.mark.django_db
def test_holidays_do_not_count_as_working_days(world):
    cal = WorkingCalendar.for_organisation(world.m1)
    # From Friday 24/4 to Monday 4/5/2026: 27/4, 30/4, 1/5 and two weekends are off.
    assert working_days_left(date(2026, 4, 24), date(2026, 5, 4), cal.is_working_day) == 3


@pytest.mark.django_db
def test_once_each_and_not_after_completion(world):
    task = make_task(world, deadline=DEADLINE)
    assert remind(date(2026, 4, 17)) == 1
    assert remind(date(2026, 4, 20)) == 0  # the same flag: nothing new
    assert remind(date(2026, 4, 23)) == 1
    assert remind(date(2026, 4, 27)) == 1
    assert remind(date(2026, 4, 28)) == 0
    keys = sorted(OutboxMessage.objects.values_list("key", flat=True))
    assert [k.split(":")[2] for k in keys] == ["d1", "d5", "overdue"]
    other = make_task(world, deadline=DEADLINE)
    services.report_completion(
        world.lead_officer.user,
        other,
        text="Xong",
        result=services.DocumentRef("1/BC", date(2026, 4, 1)),
    )
    assert remind(date(2026, 4, 17)) == 0  # awaiting acceptance: no reminder
    task.refresh_from_db()


@pytest.mark.django_db
def test_an_extension_starts_the_reminders_again(world):
    task = make_task(world, deadline=DEADLINE)
    assert remind(date(2026, 4, 17)) == 1
    services.request_extension(
        world.lead_officer.user,
        task,
        new_deadline=date(2026, 6, 30),
        reason="Chờ",
        on=date(2026, 4, 17),
    )
    services.approve_extension(world.clerk.user, task)
    assert remind(date(2026, 6, 24)) == 1
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.outbox
def test_the_worker_mails_the_person_responsible_and_the_focal_point(world):
    make_task(world, deadline=DEADLINE)
    out = io.StringIO()
    call_command("assignments_remind", stdout=out)  # today is after the deadline: overdue
    assert out.getvalue().startswith("1 ")
    assert remind(date(2026, 4, 25)) == 0  # the same reminder: already queued
    call_command("worker", batch=True, verbosity=0)
    [message] = mail.outbox
    assert sorted(message.to) == sorted([world.lead_officer.user.email, world.lead_boss.user.email])
    assert "quá hạn" in message.subject
    assert "Bộ Tài chính" in message.body
