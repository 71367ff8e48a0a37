"""A submission's signature: the report PDF generated from its values, signed (PAdES) by a
signer of the reporting organisation with their personal certificate.

A submission can be sent again until approval: a signature belongs to the version it signed
(``submitted_at``), so a later version is unsigned until someone signs it again. The signed
PDF is kept in the row (a report is tens of kilobytes) so that it is written, or not, in the
same transaction as the audit row that records it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .submissions import Submission


class SubmissionSignature(models.Model):
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="signatures",
        verbose_name=_("submission"),
    )
    # The version signed: the submission's submitted_at when it was signed, and the number of
    # corrections of its approved values then (a revision changes the values, not the version).
    version = models.DateTimeField(_("version signed"))
    revision = models.PositiveSmallIntegerField(_("revision signed"), default=0)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    holder = models.CharField(_("certificate holder"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    pdf = models.BinaryField(_("signed report (PDF)"))
    sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64)

    class Meta:
        verbose_name = _("submission signature")
        ordering = ["-signed_at", "-pk"]

    def __str__(self):
        return f"{self.submission} · {self.holder}"


class DataSignature(models.Model):
    """The submission's data as an XML document (services.xml_data), signed enveloped (XMLDSig)
    by a signer of the reporting organisation: made here through the signing service, or
    signed elsewhere (a token's software, another system) and uploaded with the values.

    The document is kept byte for byte as signed, like the signed PDF: it is what a verifier
    checks, and it is checked again whenever it is read.

    ``signed_digest`` is unique: a document is accepted once. It is the SHA-256 of what the
    signature covers (the canonical octets its digest is over), not of the bytes posted, so a
    replay with another XML declaration or whitespace outside the signed element is the same
    document; a unique index, not a look-up, so that two posts of it at once cannot both pass."""

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="data_signatures",
        verbose_name=_("submission"),
    )
    version = models.DateTimeField(_("version signed"))
    # The number of revisions of the approved values when signed (0: none): a revision changes
    # the values without a new version, and the document of the version before it is stale.
    revision = models.PositiveSmallIntegerField(_("revision signed"), default=0)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    holder = models.CharField(_("certificate holder"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    document = models.BinaryField(_("signed data (XML)"))
    sha256 = models.CharField(_("SHA-256 of the signed XML"), max_length=64)
    # True when the document came signed from outside (uploaded), not signed by this platform.
    uploaded = models.BooleanField(_("uploaded signed"), default=False)
    # NULL only for a document kept before replays were refused that could not be verified
    # again when the column was added (migration 0010), or that repeated an earlier one.
    signed_digest = models.CharField(
        _("SHA-256 of the signed content"), max_length=64, null=True, blank=True, unique=True
    )

    class Meta:
        verbose_name = _("signed report data")
        ordering = ["-signed_at", "-pk"]

    def __str__(self):
        return f"{self.submission} · {self.holder} (XML)"
