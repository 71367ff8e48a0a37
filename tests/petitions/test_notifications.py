"""The petitions' e-mails through the core outbox: the submitter's, sent by the worker after
commit; the reminders of petitions at risk or overdue, once per flag and deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from egov.core.models import OutboxMessage
from egov.petitions.models import Petition
from egov.petitions.services.reminders import remind

from .conftest import at_commune, submitted

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outbox]


def test_the_submitter_is_mailed_the_code_by_the_worker(world):
    petition = submitted(world)
    call_command("worker", batch=True, verbosity=0)
    [message] = mail.outbox
    assert message.to == ["citizen_1@example.vn"]
    assert petition.code in message.subject and petition.code in message.body
    assert message.extra_headers["X-Egov-Message-Id"].startswith(f"{petition.pk}:")
    assert OutboxMessage.objects.get(kind="petitions.email").state == OutboxMessage.State.SENT


def test_reminders_once_per_flag_and_deadline(world):
    overdue, soon, fine = at_commune(world), at_commune(world), at_commune(world)
    now = timezone.now()
    Petition.objects.filter(pk=overdue.pk).update(
        due_at=now - dt.timedelta(hours=1), at_risk_at=now - dt.timedelta(days=1)
    )
    Petition.objects.filter(pk=soon.pk).update(
        due_at=now + dt.timedelta(hours=3), at_risk_at=now - dt.timedelta(hours=3)
    )
    assert remind(now) == 2
    assert remind(now) == 2  # the same flags again: the same rows, nothing new
    rows = OutboxMessage.objects.filter(kind="petitions.reminder")
    assert rows.count() == 2
    mail.outbox.clear()
    call_command("worker", batch=True, verbosity=0)
    reminders = [m for m in mail.outbox if "hạn" in m.subject]
    assert len(reminders) == 2
    # The officials of commune A, not those of B or the centre.
    assert set(reminders[0].to) == {
        "desk_a@example.gov.vn",
        "proc_a@example.gov.vn",
        "lead_a@example.gov.vn",
    }
    assert fine.code not in " ".join(m.subject for m in reminders)
