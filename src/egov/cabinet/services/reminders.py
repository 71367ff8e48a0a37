"""Reminders of an opinion ballot, through the core outbox (docs/architecture.md, "The outbox").

At issue, one outbox row per offset of ``EGOV_CABINET_REMINDER_HOURS`` before the deadline
(``cabinet.reminder``, key ``<ballot>:<hours>h``) and one overdue alert at the deadline (key
``<ballot>:overdue``), each to run at its time: the key makes each one once, whatever runs it.
When it runs, the handler looks at who has still not answered: those members and their
assistants get an e-mail (and a text message, through :class:`Sms`); the overdue alert goes to
the secretariat too. A ballot decided meanwhile gets nothing.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from egov.cabinet.models import Assistant, Ballot, Member, Secretary, Status
from egov.core.services import outbox

logger = logging.getLogger(__name__)

REMINDER = "cabinet.reminder"
MAX_ATTEMPTS = 5
BACKOFF = outbox.exponential(timedelta(minutes=1))


class Sms(abc.ABC):
    """A text-message gateway (``EGOV_CABINET_SMS``)."""

    @abc.abstractmethod
    def send(self, number: str, text: str, *, key: str) -> None:
        """Send ``text`` to ``number``; raise on failure (the outbox retries)."""


class LogSms(Sms):
    """No gateway yet: the message goes to the log."""

    def send(self, number: str, text: str, *, key: str) -> None:
        logger.info("SMS %s to %s: %s", key, number, text)


def sms() -> Sms:
    return import_string(settings.EGOV_CABINET_SMS)()


def schedule(ballot: Ballot) -> None:
    """Queue the ballot's reminders and overdue alert (in the issuing transaction)."""
    now = timezone.now()
    for hours in sorted(set(settings.EGOV_CABINET_REMINDER_HOURS), reverse=True):
        when = ballot.deadline - dt.timedelta(hours=hours)
        if when > now:
            outbox.add(
                REMINDER,
                {"ballot": ballot.pk, "hours": hours},
                key=f"{ballot.pk}:{hours:g}h",
                run_after=when,
            )
    outbox.add(
        REMINDER,
        {"ballot": ballot.pk, "overdue": True},
        key=f"{ballot.pk}:overdue",
        run_after=ballot.deadline,
    )


def silent_members(ballot: Ballot):
    """The members asked who have not answered every question."""
    questions = ballot.questions.count()
    return (
        Member.objects.filter(pk__in=ballot.recipients.values("member_id"))
        .exclude(
            pk__in=ballot.answers.values("member_id")
            .order_by()
            .annotate(n=Count("id"))
            .filter(n__gte=questions)
            .values("member_id")
        )
        .select_related("official__user")
    )


def recipients(ballot: Ballot, *, overdue: bool) -> list[str]:
    members = list(silent_members(ballot))
    day = timezone.localdate()
    emails = {m.official.user.email for m in members}
    staff = Assistant.objects.filter(member__in=members, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    emails |= set(staff.values_list("official__user__email", flat=True))
    if overdue and members:
        emails |= set(
            Secretary.objects.filter(active=True).values_list("official__user__email", flat=True)
        )
    return sorted(e for e in emails if e)


def send(message) -> None:
    payload = message.payload
    ballot = Ballot.objects.filter(pk=payload["ballot"]).first()
    if ballot is None or ballot.status != Status.OPEN and not payload.get("overdue"):
        return
    if ballot.status != Status.OPEN and ballot.decided_at and ballot.decided_at < ballot.deadline:
        return  # decided early: nobody is late
    overdue = bool(payload.get("overdue"))
    to = recipients(ballot, overdue=overdue)
    if not to:
        return
    url = f"{settings.EGOV_PUBLIC_URL.rstrip('/')}{reverse('cabinet:ballot', args=[ballot.number])}"
    due = timezone.localtime(ballot.deadline).strftime("%H:%M %d/%m/%Y")
    with translation.override("vi"):
        if overdue:
            subject = _("Ballot no. %(number)s: the deadline has passed") % {
                "number": ballot.number
            }
            body = _(
                "The deadline of ballot no. %(number)s “%(title)s” (%(due)s) has passed without every member's answer.\n%(url)s\n"  # noqa: E501 - one msgid
            )
        else:
            subject = _("Ballot no. %(number)s: please answer by %(due)s") % {
                "number": ballot.number,
                "due": due,
            }
            body = _(
                "Ballot no. %(number)s “%(title)s” awaits your answer, due at %(due)s.\n%(url)s\n"
            )
        body = body % {"number": ballot.number, "title": ballot.title, "due": due, "url": url}
    EmailMessage(
        subject=subject[:255], body=body, to=to, headers={"X-Egov-Message-Id": message.key}
    ).send()


def register() -> None:
    outbox.register(REMINDER, send, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
