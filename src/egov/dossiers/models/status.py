"""The national status codes of a dossier and the other fixed vocabularies of this app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.IntegerChoices):
    """Trạng thái hồ sơ: the national codes 1–10."""

    # A context of their own: "Received" or "New" are also column titles elsewhere, and the
    # first app's translation of a bare msgid wins ("Received" showed as "Ngày nhận").

    NEW = 1, pgettext_lazy("dossier status", "New")
    RECEIVED = 2, pgettext_lazy("dossier status", "Received")
    NOT_RECEIVED = 3, pgettext_lazy("dossier status", "Not received")
    PROCESSING = 4, pgettext_lazy("dossier status", "Processing")
    SUPPLEMENT_REQUESTED = 5, pgettext_lazy("dossier status", "Supplement requested")
    FEES_DUE = 6, pgettext_lazy("dossier status", "Fees or obligations due")
    WITHDRAWN = 7, pgettext_lazy("dossier status", "Withdrawn")
    STOPPED = 8, pgettext_lazy("dossier status", "Stopped")
    PROCESSED = 9, pgettext_lazy("dossier status", "Processed")
    RESULT_RETURNED = 10, pgettext_lazy("dossier status", "Result returned")


# Statuses in which the clock runs or is paused; the others are final (or done, awaiting return).
OPEN_STATUSES = frozenset(
    {Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.FEES_DUE}
)
FINAL_STATUSES = frozenset(
    {Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED, Status.RESULT_RETURNED}
)


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business")


class Timeliness(models.TextChoices):
    """Early / on time / late once finished; within time / overdue while open."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    WITHIN_TIME = "within_time", _("Within time")
    OVERDUE = "overdue", _("Overdue")


class FormKind(models.TextChoices):
    """The one-stop forms (Decree 61/2018): printed by egov.dossiers.printed."""

    RECEIPT = "01", _("Receipt and appointment (form 01)")
    SUPPLEMENT = "02", _("Supplement request (form 02)")
    REFUSAL = "03", _("Refusal (form 03)")
    APOLOGY = "04", _("Apology and new date (form 04)")
    CONTROL_SHEET = "05", _("Control sheet (form 05)")
    TRACKING_BOOK = "06", _("Tracking book (form 06)")
