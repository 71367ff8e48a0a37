"""E-mail to the applicant: rendered from editable templates into the outbox, in the transaction
of the change; sent by a task enqueued after commit (nothing is sent for a rolled-back change).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.dossiers.models import NotificationTemplate, OutboxMessage, Status

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


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
    from django.urls import reverse

    base = getattr(settings, "EGOV_PUBLIC_URL", "") or ""
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
    """Write one e-mail to the outbox (inside the change's transaction) and enqueue its sending
    after commit. No address, no message."""
    if not dossier.applicant_email:
        return None
    subject, body = render(dossier, event, note)
    message = OutboxMessage.objects.create(
        dossier=dossier,
        idempotency_key=f"{dossier.pk}:{key}"[:64],
        event=event,
        recipient=dossier.applicant_email,
        subject=subject,
        body=body,
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def queue_status_email(dossier, progress) -> OutboxMessage | None:
    return queue_email(
        dossier, f"status.{dossier.status}", key=f"progress:{progress.pk}", note=progress.note
    )


def _enqueue(message_id: int, run_after=None) -> None:
    from egov.dossiers import tasks

    task = tasks.send_outbox_message
    if run_after is not None:
        task = task.using(run_after=run_after)
    try:
        task.enqueue(message_id)
    except Exception:  # noqa: BLE001 - the sweep (send_pending) picks it up later
        logger.exception("could not enqueue outbox message %s", message_id)


def send(message_id: int) -> str:
    """Send one outbox message once: locked, skipped if already sent; on failure, counted and
    retried later (backoff 1, 2, 4, 8 min) until MAX_ATTEMPTS, then marked failed."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state != OutboxMessage.State.PENDING:
            return "skipped"
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                to=[message.recipient],
                headers={"X-Egov-Message-Id": message.idempotency_key},
            ).send()
        except Exception as exc:  # noqa: BLE001 - SMTP down, refused, timeout
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.state = OutboxMessage.State.FAILED
            else:
                delay = timedelta(minutes=2 ** (message.attempts - 1))
                message.next_attempt_at = timezone.now() + delay
                run_after = message.next_attempt_at
                transaction.on_commit(lambda: _enqueue(message.pk, run_after))
            message.save()
            return "failed"
        message.attempts += 1
        message.state = OutboxMessage.State.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save()
        return "sent"


def send_pending(now=None) -> int:
    """Send every pending message whose time has come (the sweep after an outage)."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
        .exclude(next_attempt_at__gt=now)
        .values_list("pk", flat=True)[:1000]
    )
    return sum(send(pk) == "sent" for pk in ids)
