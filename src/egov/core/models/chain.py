"""Hash-chained tables (the audit log, the exchange's evidence, ...) and their anchors.

egov.core.chain appends to and verifies these tables; egov.core.appendonly makes them refuse
UPDATE, DELETE and TRUNCATE on PostgreSQL.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChainedRow(models.Model):
    """A row of a hash-chained, append-only table: derive from it and give the chain (a
    :class:`egov.core.chain.Chain`) the fields its hash covers besides these."""

    # Dense sequence 1, 2, 3 ...: a gap or a repeat is evidence of tampering.
    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(_("time"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True
        ordering = ["seq"]


class ChainAnchor(models.Model):
    """A chain's head (length and last hash) as one verify found it intact.

    A chain cannot show that rows were cut from its end, or that it was emptied: what is left
    still links up. A later verify checks that the chain still reaches this length and that its
    row ``length`` still has this hash. Append-only itself (core 0003); operators should also keep
    the printed anchor outside the database, where whoever can empty the tables cannot reach it.
    """

    chain = models.CharField(max_length=64)  # the chain's name: "audit", "exchange.evidence"
    length = models.BigIntegerField()
    head = models.CharField(max_length=64)  # the hash of row `length` (GENESIS when empty)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chain anchor")
        verbose_name_plural = _("chain anchors")
        indexes = [models.Index(fields=["chain", "-id"], name="core_anchor_chain_last")]

    def __str__(self) -> str:
        return f"{self.chain} {self.length}:{self.head}"
