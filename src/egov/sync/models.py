"""The status sync's rows.

Provincial side: :class:`SyncMark`, what the national side last acknowledged of a dossier (the
outbox rows themselves are core's ``OutboxMessage`` of kind ``sync.dossier``).

National side: :class:`NationalDossier` (the last record of each dossier a province synced, one
row per province and ``MaHoSo``) and :class:`NationalProgress` (its progress records, each once).
The figures per province, sector and procedure are counted from these rows when asked: nothing
runs between an ingest and the figures.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncMark(models.Model):
    """Provincial: the version of a dossier the national side acknowledged, and when."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="sync_mark"
    )
    version = models.BigIntegerField(_("version"), default=0)
    synced_at = models.DateTimeField(_("synced"))

    class Meta:
        verbose_name = _("synced dossier")
        verbose_name_plural = _("synced dossiers")

    def __str__(self) -> str:
        return f"{self.dossier_id}@{self.version}"


class NationalDossier(models.Model):
    """National: one dossier of one province as last synced (DongBoHoSoMC)."""

    province = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField(_("dossier code"), max_length=64)  # MaHoSo
    # PhienBan: the province's order of its changes; an older record never overwrites a newer.
    version = models.BigIntegerField(_("version"), default=0)
    procedure_code = models.CharField(_("procedure code"), max_length=32)
    procedure_name = models.TextField(_("procedure"))
    sector_code = models.CharField(_("sector code"), max_length=64, blank=True)
    sector_name = models.TextField(_("sector"), blank=True)
    applicant_name = models.CharField(_("applicant name"), max_length=255, blank=True)
    # The applicant's ID number (DinhDanhCHS, else MaDoiTuong): the citizen's list and the lookup.
    id_number = models.CharField(_("ID number or tax code"), max_length=20, blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    finished_at = models.DateTimeField(_("handling ended"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    handling_unit = models.TextField(_("handling agency"), blank=True)
    online = models.BooleanField(_("online"), default=False)
    paid_online = models.BooleanField(_("paid online"), default=False)
    digitised = models.BooleanField(_("digitised"), default=False)
    page_url = models.URLField(_("page at the province"), max_length=500, blank=True)
    record = models.JSONField(_("record as received"), default=dict)
    created_at = models.DateTimeField(_("first synced"))
    updated_at = models.DateTimeField(_("last synced"))

    class Meta:
        verbose_name = _("national dossier")
        verbose_name_plural = _("national dossiers")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="sync_national_code"),
        ]
        indexes = [
            models.Index(fields=["id_number", "-received_at"], name="sync_national_idnum"),
            models.Index(fields=["code"], name="sync_national_code_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class NationalProgress(models.Model):
    """National: one progress record of a synced dossier (CapNhatTienDoHoSoMC), stored once."""

    dossier = models.ForeignKey(NationalDossier, on_delete=models.CASCADE, related_name="progress")
    # SHA-256 of the record's fields (and PhienBan): the same record sent twice is stored once.
    digest = models.CharField(max_length=64)
    version = models.BigIntegerField(_("version"), default=0)
    at = models.DateTimeField(_("time"))
    status = models.PositiveSmallIntegerField(_("status"))
    actor_name = models.CharField(_("by"), max_length=255, blank=True)
    actor_title = models.CharField(_("title"), max_length=255, blank=True)
    unit = models.TextField(_("unit"), blank=True)
    content = models.TextField(_("content"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)

    class Meta:
        verbose_name = _("national progress record")
        verbose_name_plural = _("national progress records")
        ordering = ["dossier_id", "at", "version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "digest"], name="sync_progress_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.status}"


class NationalRating(models.Model):
    """National: one applicant's satisfaction rating of one province's dossier (DongBoDanhGia),
    as last synced: the highest ``LanCapNhat`` (revision) wins."""

    province = models.ForeignKey(
        "core.Organisation", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("dossier code"), max_length=64)  # MaHoSo
    id_number = models.CharField(_("ID number or tax code"), max_length=20)  # MaDoiTuong
    revision = models.PositiveIntegerField(_("revision"))  # LanCapNhat
    procedure_code = models.CharField(_("procedure code"), max_length=32)
    unit_code = models.CharField(_("handling agency code"), max_length=64, blank=True)
    average = models.DecimalField(_("average score"), max_digits=4, decimal_places=2)
    disliked = models.BooleanField(_("not satisfied"), default=False)
    rated_at = models.DateTimeField(_("rated"))
    record = models.JSONField(_("record as received"), default=dict)
    updated_at = models.DateTimeField(_("last synced"))

    class Meta:
        verbose_name = _("national rating")
        verbose_name_plural = _("national ratings")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "code", "id_number"], name="sync_rating_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.revision})"


class SyncRetry(models.Model):
    """Provincial: an official sent a failed sync row again (a new outbox row, the old one kept
    as it failed); a failed row with a retry is no longer listed as failed."""

    original = models.OneToOneField(
        "core.OutboxMessage", on_delete=models.CASCADE, related_name="sync_retry"
    )
    retry = models.OneToOneField(
        "core.OutboxMessage", on_delete=models.CASCADE, related_name="sync_retry_of"
    )
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    retried_at = models.DateTimeField(_("sent again"))

    class Meta:
        verbose_name = _("sync sent again")
        verbose_name_plural = _("syncs sent again")

    def __str__(self) -> str:
        return f"{self.original_id} -> {self.retry_id}"
