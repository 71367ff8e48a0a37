"""The procedure catalogue (thủ tục hành chính) and its versions.

A ``Procedure`` is the stable identity (its national code, e.g. ``1.001193``) plus a few fields
copied from its current version so that listing and search never join the version tables. The
content lives in ``ProcedureVersion`` and its children (channels with time limits and fees,
required documents with their form templates, implementing agencies). A draft version is edited,
then published with an effective date; a published version is never edited in place, a new one
supersedes it. Every write goes through ``egov.catalog.services``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from egov.core.calendar import Unit
from egov.core.models.organisations import Level


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Full online (end to end)")
    PARTIAL = "partial", _("Partly online")
    INFO = "info", _("Information only")


class ProcedureStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    ABOLISHED = "abolished", _("Abolished")


class ProcedureScope(models.TextChoices):
    # The national catalogue's scope: STANDARD, SPECIFIC, STANDARD_INTERNAL.
    STANDARD = "standard", _("Nationally standard")
    SPECIFIC = "specific", _("Specific to one province or body")
    INTERNAL = "internal", _("Internal, between agencies")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class ChannelKind(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    POST = "post", _("Public post")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Fee")
    CHARGE = "charge", _("Charge")


class Sector(models.Model):
    """Lĩnh vực: a field of administration (Hộ tịch, Cư trú, Đất đai ...)."""

    # The portal's sector code when known; otherwise a slug of the folded name.
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255, unique=True)
    search_name = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProcedureStatus.choices, default=ProcedureStatus.ACTIVE
    )
    scope = models.CharField(
        _("scope"), max_length=12, choices=ProcedureScope.choices, blank=True, default=""
    )
    # The version in force now (the latest published one); None while only a draft exists.
    current_version = models.ForeignKey(
        "ProcedureVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copied from the current version (or the draft while nothing is published) by the services:
    name = models.TextField(_("name"))
    online_level = models.CharField(
        _("online level"), max_length=8, choices=OnlineLevel.choices, default=OnlineLevel.INFO
    )
    # Levels at which the procedure is done, space separated ("commune province"); filter with
    # levels__contains=<level> (no level name is part of another).
    levels = models.CharField(_("levels"), max_length=64, blank=True, default="")
    # True once full details (channels, documents, fees) are loaded; the national index alone
    # gives information-only records.
    detailed = models.BooleanField(_("detailed"), default=False)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="procedures"
    )
    # Organisations that publish or implement it (those resolved to a node of the tree).
    agencies = models.ManyToManyField(
        "core.Organisation", verbose_name=_("agencies"), blank=True, related_name="procedures"
    )
    # Agency names as published (may be generic: "Ủy ban nhân dân cấp xã"), "; " separated.
    agency_names = models.TextField(_("agency names"), blank=True, default="")
    # Folded (lower case, no diacritics, đ → d) code + name + sectors + agency names: what search
    # matches against. Maintained by egov.catalog.services on every write.
    search_text = models.TextField(editable=False, blank=True, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]
        indexes = [models.Index(fields=["online_level"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def version_on(self, day: dt.date) -> ProcedureVersion | None:
        """The published (or superseded) version in force on ``day``."""
        return (
            self.versions.exclude(status=VersionStatus.DRAFT)
            .filter(effective_from__lte=day)
            .filter(models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day))
            .first()
        )


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # Validity: from effective_from to effective_to inclusive (None: open). Set on publishing;
    # effective_to is set when a later version supersedes this one.
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    name = models.TextField(_("name"))
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="versions"
    )
    publishing_agency = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("publishing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="published_procedure_versions",
    )
    publishing_agency_name = models.TextField(
        _("publishing agency (as published)"), blank=True, default=""
    )
    # Decision that published the procedure, e.g. "163/QĐ-BTP".
    published_by_decision = models.CharField(
        _("publishing decision"), max_length=128, blank=True, default=""
    )
    # Levels at which it is done: ["commune", "province"] (values of core Level).
    levels = models.JSONField(_("levels"), default=list, blank=True)
    # Steps per case: [{"case": "", "steps": ["...", "..."]}] (trình tự thực hiện).
    steps = models.JSONField(_("steps"), default=list, blank=True)
    requirements = models.TextField(_("requirements and conditions"), blank=True, default="")
    applicant_types = models.JSONField(_("applicant types"), default=list, blank=True)
    # Results: [{"name": "Giấy khai sinh", "code": "KQ.G15.000031"}].
    results = models.JSONField(_("results"), default=list, blank=True)
    # Legal basis: [{"number": "60/2014/QH13", "title": "Luật Hộ tịch"}].
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    online_level = models.CharField(
        _("online level"), max_length=8, choices=OnlineLevel.choices, default=OnlineLevel.INFO
    )
    # The applicant's form as a JSON Schema (egov.catalog.forms); {} when there is none.
    application_form = models.JSONField(_("application form"), default=dict, blank=True)
    detailed = models.BooleanField(_("detailed"), default=False)
    notes = models.TextField(_("notes"), blank=True, default="")
    # Where the record came from (file, portal URL, snapshot) and the raw fields we keep.
    source = models.JSONField(_("source"), default=dict, blank=True)
    # Hash of the imported content: a second import of the same record changes nothing.
    content_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procver_number"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status="draft"),
                name="procver_one_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="procver_validity_order",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(effective_from__isnull=False),
                name="procver_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["procedure", "status"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class ImplementingAgency(models.Model):
    """Cơ quan thực hiện: a node of the tree, or a generic agency ("Công an cấp xã") at a level."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="implementing_agencies"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="implemented_procedure_versions",
    )
    name = models.TextField(_("name"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("implementing agency")
        verbose_name_plural = _("implementing agencies")
        ordering = ["version_id", "order"]

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """Cách thức thực hiện: in person, online or by public post, with its own time limit."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    # The case (trường hợp) when one channel has several time limits; empty for every case.
    case = models.TextField(_("case"), blank=True, default="")
    # Time limit: a value and a unit (egov.core.calendar.Unit); None when not published clearly.
    time_limit = models.DecimalField(
        _("time limit"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("time unit"), max_length=14, choices=Unit.choices, blank=True, default=""
    )
    # The time limit as published, when it could not be read as a value and a unit.
    time_text = models.TextField(_("time limit (as published)"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["version_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_limit__isnull=True) | models.Q(time_limit__gte=0),
                name="channel_time_limit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def time_limit_display(self) -> str:
        """ "1 working day", "3 working days", "1,5 ngày làm việc": the number and its unit,
        pluralised (the unit's label alone gave "1 working days")."""
        if self.time_limit is None:
            return ""
        value = self.time_limit
        whole = value == value.to_integral()
        shown = number_format(int(value) if whole else value.normalize(), use_l10n=True)
        count = int(value) if whole else 2  # 1,5 days: plural
        forms = {
            Unit.WORKING_DAYS: ngettext("%(n)s working day", "%(n)s working days", count),
            Unit.WORKING_HOURS: ngettext("%(n)s working hour", "%(n)s working hours", count),
            Unit.CALENDAR_DAYS: ngettext("%(n)s calendar day", "%(n)s calendar days", count),
        }
        text = forms.get(self.time_unit)
        return text % {"n": shown} if text else shown


class Fee(models.Model):
    """Phí, lệ phí of one channel: code, amount in VND (None: set by the province, varies)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("kind"), max_length=8, choices=FeeKind.choices, default=FeeKind.FEE)
    code = models.CharField(_("code"), max_length=64, blank=True, default="")
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["channel_id", "id"]

    def __str__(self) -> str:
        return f"{self.amount_vnd} VND" if self.amount_vnd is not None else self.description


class RequiredDocument(models.Model):
    """Thành phần hồ sơ: one document the applicant brings, with its number of copies."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="required_documents"
    )
    name = models.TextField(_("name"))
    # The case (trường hợp) the document belongs to; empty for every case.
    case = models.TextField(_("case"), blank=True, default="")
    originals = models.PositiveSmallIntegerField(_("originals"), default=1)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["version_id", "order"]

    def __str__(self) -> str:
        return self.name[:80]


class FormTemplate(models.Model):
    """Mẫu đơn, tờ khai: the template file of a required document (uploaded, or a link)."""

    document = models.ForeignKey(
        RequiredDocument, on_delete=models.CASCADE, related_name="form_templates"
    )
    name = models.CharField(_("name"), max_length=500)
    code = models.CharField(_("code"), max_length=64, blank=True, default="")
    file = models.FileField(_("file"), upload_to="catalog/forms/", blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True, default="")

    class Meta:
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")
        ordering = ["document_id", "id"]

    def __str__(self) -> str:
        return self.name
