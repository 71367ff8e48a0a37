"""E-mails of petitions, through the core outbox (docs/architecture.md, "The outbox"):

- ``petitions.email``: the submitter is told the code on submission and each change after;
- ``petitions.reminder``: the officials of the organisation holding a petition whose clock is at
  risk or overdue, once per flag and deadline (the key says which).

Both are written in the change's transaction and sent after commit, retried after 1, 2, 4 and 8
minutes, failed after the fifth attempt.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.accounts.models import Official
from egov.core.services import outbox
from egov.petitions.models import Status

EMAIL = "petitions.email"
REMINDER = "petitions.reminder"
MAX_ATTEMPTS = 5
BACKOFF = outbox.exponential(timedelta(minutes=1))


def _url(name: str, *args) -> str:
    return f"{settings.EGOV_PUBLIC_URL.rstrip('/')}{reverse(name, args=args)}"


def queue_email(petition, *, key: str, note: str = ""):
    """The submitter's e-mail about the petition's status now; None without an address."""
    if not petition.submitter_email:
        return None
    with translation.override("vi"):
        status = str(Status(petition.status).label)
        subject = _("Petition %(code)s: %(status)s") % {"code": petition.code, "status": status}
        lines = [
            _("Your petition “%(title)s” has the code %(code)s.")
            % {"title": petition.title, "code": petition.code},
            _("Its status is now: %(status)s.") % {"status": status},
        ]
        if note:
            lines.append(_("Note: %(note)s") % {"note": note})
        lines.append(_("Follow it at %(url)s") % {"url": _url("petitions:mine")})
    payload = {
        "recipients": [petition.submitter_email],
        "subject": subject[:255],
        "body": "\n".join(lines) + "\n",
    }
    return outbox.add(EMAIL, payload, key=f"{petition.pk}:{key}"[:64])


def queue_reminder(petition, flag: str):
    """One reminder per (petition, flag, deadline) to the officials of its organisation."""
    recipients = sorted(
        e
        for e in Official.objects.filter(organisation=petition.organisation).values_list(
            "user__email", flat=True
        )
        if e
    )
    if not recipients:
        return None
    due = timezone.localtime(petition.due_at)
    with translation.override("vi"):
        if flag == "overdue":
            subject = _("Petition %(code)s is overdue") % {"code": petition.code}
        else:
            subject = _("Petition %(code)s is due soon") % {"code": petition.code}
        body = _("“%(title)s” (%(status)s) is due at %(due)s.\n%(url)s\n") % {
            "title": petition.title,
            "status": Status(petition.status).label,
            "due": due.strftime("%H:%M %d/%m/%Y"),
            "url": _url("petitions:handle", petition.code),
        }
    payload = {"recipients": recipients, "subject": subject[:255], "body": body}
    key = f"r:{petition.pk}:{flag}:{petition.due_at:%Y%m%d%H%M}"
    return outbox.add(REMINDER, payload, key=key)


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
    outbox.register(EMAIL, send, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
    outbox.register(REMINDER, send, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
