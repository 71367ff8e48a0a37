"""E-mail to the applicant: rendered from editable templates into the core outbox (kind
``dossiers.email``), in the transaction of the change; sent by the outbox's task after commit
(nothing is sent for a rolled-back change), retried after 1, 2, 4 and 8 minutes, failed after the
fifth attempt. The handler is registered by the app's ``ready()`` (:func:`register`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.core.models import OutboxMessage
from egov.core.services import outbox
from egov.dossiers.models import NotificationTemplate, Status

logger = logging.getLogger(__name__)
KIND = "dossiers.email"
MAX_ATTEMPTS = 5
BACKOFF = outbox.exponential(timedelta(minutes=1))


def _default_body() -> str:
    return _(
        "Dossier {{ dossier.code }} is now: {{ status }}.\n"
        "{% if note %}Note: {{ note }}\n{% endif %}"
        "{% if dossier.due_at %}Due: {{ due }}\n{% endif %}"
        "Follow it at {{ lookup_url }}\n"
    )


def _template(event: str, language: str):
    rows = {t.language: t for t in NotificationTemplate.objects.filter(event=event, active=True)}
    return rows.get(language) or rows.get("vi")


def lookup_url() -> str:
    # The portal's public lookup page (its route, not a copy of its path: the copy pointed
    # at /tra-cuu-ho-so/, which no route serves).
    base = settings.EGOV_PUBLIC_URL
    return f"{base.rstrip('/')}{reverse('portal:lookup')}"


def render(dossier, event: str, note: str = "") -> tuple[str, str]:
    language = "vi"
    with translation.override(language):
        row = _template(event, language)
        subject_source = row.subject if row else "Hồ sơ {{ dossier.code }}: {{ status }}"
        body_source = row.body if row else _default_body()
        context = Context(
            {
                "dossier": dossier,
                "status": Status(dossier.status).label,
                "note": note,
                "lookup_url": lookup_url(),
                "due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
                if dossier.due_at
                else "",
            },
            autoescape=False,
        )
        subject = Template(subject_source).render(context)
        body = Template(body_source).render(context)
    return " ".join(subject.split())[:255], body


def queue_email(dossier, event: str, *, key: str, note: str = "") -> OutboxMessage | None:
    """Write one e-mail to the outbox (inside the change's transaction); it is sent after commit.
    No address, no message; the same key twice, one message."""
    if not dossier.applicant_email:
        return None
    subject, body = render(dossier, event, note)
    payload = {
        "dossier": dossier.pk,
        "event": event,
        "recipient": dossier.applicant_email,
        "subject": subject,
        "body": body,
    }
    return outbox.add(KIND, payload, key=f"{dossier.pk}:{key}"[:64])


def queue_status_email(dossier, progress) -> OutboxMessage | None:
    return queue_email(
        dossier, f"status.{dossier.status}", key=f"progress:{progress.pk}", note=progress.note
    )


def send(message: OutboxMessage) -> None:
    """The outbox handler: one attempt at sending the e-mail (raises when the server does not
    take it: down, refused, timeout). The key goes along so that a repeat can be recognised."""
    payload = message.payload
    EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        to=[payload["recipient"]],
        headers={"X-Egov-Message-Id": message.key},
    ).send()


def register() -> None:
    outbox.register(KIND, send, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
