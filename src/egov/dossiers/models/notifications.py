"""E-mail to applicants: editable templates and the outbox the task worker sends from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationTemplate(models.Model):
    """Subject and body (Django template syntax) for one event, editable in the admin.

    ``event`` is ``status.<code>`` (e.g. ``status.2``) or an act (``apology``). Context:
    ``dossier``, ``status`` (label), ``lookup_url``, ``note``.
    """

    event = models.CharField(_("event"), max_length=32)
    language = models.CharField(_("language"), max_length=8, default="vi")
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event", "language"]
        constraints = [
            models.UniqueConstraint(fields=["event", "language"], name="notif_template_event_lang")
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.language})"


class OutboxMessage(models.Model):
    """A message to send, written in the transaction of the change; sent after commit by a task."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    channel = models.CharField(max_length=16, default="email")
    # Unique: a retry or a second worker never sends the same message twice.
    idempotency_key = models.CharField(max_length=64, unique=True)
    event = models.CharField(max_length=32)
    recipient = models.CharField(_("recipient"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient}"
