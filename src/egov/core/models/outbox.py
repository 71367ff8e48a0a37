"""The outbox: effects to have outside the database (an e-mail, a webhook push, a relay to the
parent hub), written in the transaction of the change that causes them and carried out after
commit by the task worker (:mod:`egov.core.services.outbox`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("outbox state", "Pending")
        RUNNING = "running", pgettext_lazy("outbox state", "Running")
        SENT = "sent", pgettext_lazy("outbox state", "Sent")
        FAILED = "failed", pgettext_lazy("outbox state", "Failed")

    # "<app>.<what>", e.g. "dossiers.email"; its handler is registered by that app.
    kind = models.CharField(_("kind"), max_length=32)
    # Unique per kind: a second add with the same key is the same effect, not a new one. The
    # handlers also hand it to the receiver (Idempotency-Key, X-Egov-Message-Id), so that an
    # attempt repeated after a worker died mid-send can be recognised there.
    key = models.CharField(_("key"), max_length=128)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When it is due (PENDING); a task is enqueued to run then.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    # RUNNING: the attempt's owner and until when it may run; past that the sweep takes the
    # attempt as lost (the worker died) and queues the row again.
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="")
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="core_outbox_kind_key"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="core_outbox_due"),
            models.Index(fields=["state", "leased_until"], name="core_outbox_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
