"""Reminders and the overdue alert through the outbox (egov.cabinet.services.reminders)."""

import pytest
from django.core import mail

from egov.cabinet.services import reminders
from egov.core.models import OutboxMessage
from egov.core.services import outbox

from .conftest import issue, vote


def test_issue_queues_each_reminder_once(gov, settings):
    settings.EGOV_CABINET_REMINDER_HOURS = [48, 4]
    ballot = issue(gov, working_days=5)
    keys = set(OutboxMessage.objects.filter(kind=reminders.REMINDER).values_list("key", flat=True))
    assert keys == {f"{ballot.pk}:48h", f"{ballot.pk}:4h", f"{ballot.pk}:overdue"}
    reminders.schedule(ballot)  # again: nothing new
    assert OutboxMessage.objects.filter(kind=reminders.REMINDER).count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.outbox
def test_a_reminder_goes_to_silent_members_and_their_assistants(gov):
    ballot = issue(gov)
    vote(ballot, gov.members[1], "agree")
    message = OutboxMessage.objects.get(kind=reminders.REMINDER, key=f"{ballot.pk}:4h")
    outbox.run(message.pk, now=ballot.deadline, early=True)
    [email] = mail.outbox
    assert gov.members[1].official.user.email not in email.to
    assert gov.pm.official.user.email in email.to
    assert gov.assistant.user.email in email.to
    assert gov.secretary.user.email not in email.to
    assert "Phiếu số" in email.subject
    overdue = OutboxMessage.objects.get(kind=reminders.REMINDER, key=f"{ballot.pk}:overdue")
    outbox.run(overdue.pk, now=ballot.deadline, early=True)
    assert gov.secretary.user.email in mail.outbox[1].to
