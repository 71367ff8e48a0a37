"""Feedback and petitions (phản ánh, kiến nghị: PAKN): the petition, its files, its hand-offs
(the timeline) and the counter its codes are drawn from."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.IntegerChoices):
    """The national workflow's nine statuses."""

    RECEIVED = 1, pgettext_lazy("petition status", "Received at the centre")
    FORWARDED = 2, pgettext_lazy("petition status", "Forwarded to the competent organisation")
    ACCEPTED = 3, pgettext_lazy("petition status", "Received by the organisation")
    HANDLING = 4, pgettext_lazy("petition status", "Being handled")
    SUPPLEMENT_REQUESTED = (
        5,
        pgettext_lazy("petition status", "Waiting for a supplement from the submitter"),
    )
    REFUSED = 6, pgettext_lazy("petition status", "Refused (outside scope)")
    RETURNED = 7, pgettext_lazy("petition status", "Returned to the centre (wrong addressee)")
    ANSWERED = 8, pgettext_lazy("petition status", "Answered, awaiting publication")
    PUBLISHED = 9, pgettext_lazy("petition status", "Published")


# Statuses in which the answer clock runs (the supplement wait stops it; the end ones close it).
OPEN = frozenset({Status.RECEIVED, Status.FORWARDED, Status.ACCEPTED, Status.HANDLING})
CLOSED = frozenset({Status.REFUSED, Status.PUBLISHED})


class Category(models.TextChoices):
    REGULATIONS = "regulations", _("Administrative regulations")
    PROCEDURES = "procedures", _("Policies and administrative procedures")
    CONDUCT = "conduct", _("Conduct of officials and public servants")


class SubmitterKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business")


class PetitionSequence(models.Model):
    """Gap-free counter of petition codes per year (egov.core.numbering.draw)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Petition(models.Model):
    code = models.CharField(_("petition code"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("procedure concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
    )
    concerned_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions_concerning",
    )
    # Who submitted: always an identified citizen (the e-ID), maybe acting for a business.
    # Empty only on a petition forwarded by another instance (``origin``): the citizen logged in
    # there; the name, ID number and e-mail below came with it.
    submitter = models.ForeignKey(
        "accounts.Citizen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
    )
    submitter_kind = models.CharField(max_length=8, choices=SubmitterKind.choices)
    submitter_name = models.CharField(_("submitter"), max_length=255)
    submitter_id_number = models.CharField(max_length=14)
    submitter_email = models.EmailField(_("e-mail"), blank=True)
    publish_name = models.BooleanField(_("agrees to publication of their name"), default=False)

    # The centre that received it (the instance's organisation) and the one holding it now.
    centre = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="petitions_received"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="petitions"
    )
    status = models.PositiveSmallIntegerField(
        _("status"), choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    # Similar petitions merged under one answer: the one answered for them all (their lead).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    # The status a supplement returns to.
    status_before = models.PositiveSmallIntegerField(null=True, blank=True)

    received_at = models.DateTimeField(_("received"))
    refuse_due_at = models.DateTimeField(_("refuse by"))
    supplement_due_at = models.DateTimeField(_("ask for a supplement by"))
    # The answer clock: from reception or the last transfer; the supplement wait stops it.
    clock_started_at = models.DateTimeField()
    paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    paused_total = models.DurationField(default=timedelta(0))
    # The deadline of the current step (answer, or publish once answered); null while paused.
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    at_risk_at = models.DateTimeField(null=True, blank=True)

    answer_text = models.TextField(_("answer"), blank=True, default="")
    answer_file = models.FileField(upload_to="petitions/answers/", max_length=255, blank=True)
    answered_by = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions_answered",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_late = models.BooleanField(null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")
    # Folded (egov.core.text.fold: lower case, no diacritics) title, content and answer, set on
    # publication: what the public list's search matches, diacritics ignored.
    search_text = models.TextField(blank=True, default="", editable=False)

    # Between instances (egov.petitions.peers, docs/petitions.md "The national side").
    # At a province: the centre that forwarded it (its organisation code) and its code there.
    origin = models.CharField(max_length=32, null=True, blank=True, editable=False)
    origin_code = models.CharField(max_length=24, null=True, blank=True, editable=False)
    # At the national centre: the province whose instance handles it, its code there, and how
    # many lines of that instance's timeline were copied here.
    remote = models.CharField(max_length=32, null=True, blank=True, editable=False)
    remote_code = models.CharField(max_length=24, null=True, blank=True, editable=False)
    remote_lines = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "-published_at"]),
        ]
        constraints = [
            # A forwarded petition is received once (the forward is retried: idempotent).
            models.UniqueConstraint(
                fields=["origin", "origin_code"],
                condition=models.Q(origin__isnull=False),
                name="petition_received_once_from_origin",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def shown_name(self) -> str:
        """The submitter's name as the public sees it: only with their consent."""
        return self.submitter_name if self.publish_name else ""


def attachment_path(instance, filename: str) -> str:
    return f"petitions/{instance.petition.code}/{filename}"


class Attachment(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    supplement = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HandOff(models.Model):
    """One act on a petition: the timeline's line, who held it and the deadline then running.

    Registered with the policy at ``from_organisation``: an organisation that passed a petition
    on (the centre after forwarding it) keeps reading it."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="hand_offs")
    act = models.CharField(max_length=32)
    status = models.PositiveSmallIntegerField(choices=Status.choices)
    from_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    due_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.act}"


class Reaction(models.Model):
    """A logged-in person's verdict on a published answer: useful or not, once per person."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    useful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "user"], name="petition_reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.useful}"
