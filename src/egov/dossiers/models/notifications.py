"""E-mail to applicants: the editable templates (the e-mails wait in the core outbox)."""

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
