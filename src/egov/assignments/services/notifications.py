"""Reminders of tasks, through the core outbox (docs/architecture.md, "The outbox"): kind
``assignments.reminder``, to the lead's person responsible and the lead's focal point, at 5 and
at 1 working day before the day the task falls due and when it becomes overdue; once each per
deadline (the key says which: an approved extension starts them again)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from egov.assignments.models import FocalPoint
from egov.core.services import outbox

REMINDER = "assignments.reminder"
MAX_ATTEMPTS = 5
BACKOFF = outbox.exponential(timedelta(minutes=1))
FLAGS = ("d5", "d1", "overdue")


def key(assignment, flag: str) -> str:
    return f"a:{assignment.pk}:{flag}:{assignment.due_on:%Y%m%d}"


def recipients(assignment) -> list[str]:
    people = []
    if assignment.responsible is not None:
        people.append(assignment.responsible.user.email)
    focal = (
        FocalPoint.objects.filter(organisation_id=assignment.lead_id)
        .select_related("official__user")
        .first()
    )
    if focal is not None:
        people.append(focal.official.user.email)
    return sorted({e for e in people if e})


def queue_reminder(assignment, flag: str):
    """One reminder per (task, flag, deadline); None when nobody has an address."""
    to = recipients(assignment)
    if not to:
        return None
    with translation.override("vi"):
        due = assignment.due_on.strftime("%d/%m/%Y")
        if flag == "overdue":
            subject = _("Task %(number)s is overdue") % {"number": assignment.source_number}
        elif flag == "d1":
            subject = _("Task %(number)s is due in 1 working day") % {
                "number": assignment.source_number
            }
        else:
            subject = _("Task %(number)s is due in 5 working days") % {
                "number": assignment.source_number
            }
        body = _("%(content)s\nLead: %(lead)s. Due on %(due)s.\n%(url)s\n") % {
            "content": assignment.content[:500],
            "lead": assignment.lead.name,
            "due": due,
            "url": settings.EGOV_PUBLIC_URL.rstrip("/")
            + reverse("assignments:detail", args=[assignment.pk]),
        }
    payload = {"recipients": to, "subject": subject[:255], "body": body}
    return outbox.add(REMINDER, payload, key=key(assignment, flag))


def send(message) -> None:
    """The outbox handler: one attempt (raises when the mail server does not take it)."""
    payload = message.payload
    EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        to=payload["recipients"],
        headers={"X-Egov-Message-Id": message.key},
    ).send()


def register() -> None:
    outbox.register(REMINDER, send, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
