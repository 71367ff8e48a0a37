"""The audit log: append-only, one row per state change, each row chained to the previous."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import ChainedRow


class AuditEntry(ChainedRow):
    # seq, created_at, prev_hash and hash come from ChainedRow (egov.core.chain).
    # Ids only, never names or personal data: "user:42", "client:7", "system".
    actor = models.CharField(_("actor"), max_length=64)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
